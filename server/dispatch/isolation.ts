/**
 * Finding the bad records of a refused batch. iletiMerkezi refuses a whole request (422) when one
 * record is bad and does not say which: this is adaptive group testing. A test is a real send, so a
 * group that passes is REGISTERED there and then and is never sent again.
 *
 * Strategy: Hwang's generalized binary splitting with the number of bad records unknown.
 * - A set known to hold a bad record (the refused batch itself, or a refused group) is halved until
 *   one bad record is cornered; the untested halves go back to the pool of unknowns.
 * - The pool is tested in groups of 2^α, α = ⌊log₂((u − d + 1) / d)⌋ (Hwang), where d is the
 *   estimate of bad records still in the pool. It starts below 1 (the one refusal is explained by
 *   the first bad record found), so the whole rest is tried at once; a refused pool group doubles
 *   the estimate, an accepted one halves it. With d large against u, records go one by one.
 *
 * Pure: the only effect is the `test` callback, which the dispatcher maps to a send.
 */

export type IsolationOptions<T> = {
  /** The items were refused together: at least one is bad (true for a refused batch). */
  knownBad?: boolean;
  /**
   * Never conclude "bad" without a refusal of the item alone. Needed where a refusal may depend on
   * something other than the item (a record that may already be stored after a lost answer).
   */
  confirmAlone?: (item: T) => boolean;
  /** Called as soon as an item is known to be bad. */
  onBad?: (item: T) => void | Promise<void>;
};

/**
 * How the estimate moves: a refused pool group means more bad records than thought, an accepted one
 * fewer. 2 and 0.5 measured best over k = 1…500 in n = 5000 (see docs/dispatcher.md, "Isolation").
 */
const GROW = 2;
const SHRINK = 0.5;

export type IsolationResult<T> = { good: T[]; bad: T[]; tests: number };

/** Hwang's group size for u unknown items holding about d bad ones (d ≥ 1). */
export function hwangGroupSize(u: number, d: number): number {
  if (u <= 2 * d - 2) return 1;
  const alpha = Math.floor(Math.log2((u - d + 1) / d));
  return Math.min(u, 2 ** Math.max(0, alpha));
}

/**
 * Runs the isolation. `test(group)` resolves true when the group was accepted (and is now registered),
 * false when it was refused; it may throw to abort (the caller then knows from its own bookkeeping
 * which items were registered or found bad, and gives the rest back).
 */
export async function isolate<T>(
  items: readonly T[],
  test: (group: T[]) => Promise<boolean>,
  opts: IsolationOptions<T> = {},
): Promise<IsolationResult<T>> {
  const good: T[] = [];
  const bad: T[] = [];
  let tests = 0;
  let pool: T[] = [];
  // The refused batch is halved first: that costs ⌈log₂ n⌉ when one record is bad, the common case.
  let suspect: T[] | null = opts.knownBad === false ? null : [...items];
  if (suspect === null) pool = [...items];
  // Estimate of the bad items left in the pool; below 1 the whole pool is tried at once.
  let estimate = 0;

  const run = async (group: T[]) => {
    tests++;
    const ok = await test(group);
    if (ok) good.push(...group);
    return ok;
  };
  const found = async (item: T) => {
    bad.push(item);
    await opts.onBad?.(item);
  };

  while (suspect !== null || pool.length > 0) {
    if (suspect !== null) {
      if (suspect.length === 1) {
        const [only] = suspect as [T];
        suspect = null;
        if (opts.confirmAlone?.(only)) {
          if (!(await run([only]))) await found(only);
        } else {
          await found(only);
        }
        continue;
      }
      const half = suspect.slice(0, Math.floor(suspect.length / 2));
      const rest = suspect.slice(half.length);
      if (await run(half)) {
        suspect = rest;
      } else {
        suspect = half;
        pool = rest.concat(pool);
      }
      continue;
    }
    if (estimate < 1) {
      // Everything found explains the refusals so far: try the whole rest at once.
      const group = pool;
      pool = [];
      if (!(await run(group))) {
        estimate = GROW;
        if (group.length === 1) await found(group[0]!);
        else pool = group;
      }
      continue;
    }
    const size = hwangGroupSize(pool.length, Math.round(estimate));
    const group = pool.slice(0, size);
    pool = pool.slice(size);
    if (await run(group)) {
      estimate *= SHRINK;
    } else {
      estimate *= GROW;
      if (group.length === 1) await found(group[0]!);
      else suspect = group;
    }
  }
  return { good, bad, tests };
}

/** ⌈log₂ C(n, k)⌉ + k − 1: Hwang's bound on tests to find k bad items among n when k is known. */
export function hwangBound(n: number, k: number): number {
  let log2 = 0;
  for (let i = 0; i < k; i++) log2 += Math.log2(n - i) - Math.log2(i + 1);
  return Math.ceil(log2 - 1e-9) + k - 1;
}
