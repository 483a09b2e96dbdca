import { describe, expect, it } from 'vitest';
import { hwangBound, hwangGroupSize, isolate } from '../../server/dispatch/isolation.ts';
import { seededRandom as prng } from '../../server/sandbox/seeded-random.ts';

function plant(n: number, k: number, seed: number): Set<number> {
  const random = prng(seed);
  const bad = new Set<number>();
  while (bad.size < k) bad.add(Math.floor(random() * n));
  return bad;
}

/** A fake oracle that also checks the isolation never resends an accepted item. */
function oracle(bad: Set<number>) {
  const accepted = new Set<number>();
  const test = async (group: number[]) => {
    const ok = !group.some((i) => bad.has(i));
    if (ok) {
      for (const i of group) {
        if (accepted.has(i)) throw new Error(`item ${i} sent again after it was accepted`);
        accepted.add(i);
      }
    }
    return ok;
  };
  return { test, accepted };
}

describe('isolate', () => {
  it.each([
    [5000, 1],
    [5000, 2],
    [5000, 10],
    [1000, 30],
    [40, 40],
  ])('finds every bad item among %i with %i bad, registers every good one exactly once', async (n, k) => {
    for (const seed of [1, 2, 3]) {
      const bad = plant(n, k, seed * 7919 + n + k);
      const { test, accepted } = oracle(bad);
      const items = Array.from({ length: n }, (_, i) => i);
      const found: number[] = [];
      const result = await isolate(items, test, { onBad: (i) => void found.push(i) });
      expect(new Set(result.bad)).toEqual(bad);
      expect(new Set(found)).toEqual(bad);
      expect(accepted.size).toBe(n - k);
      expect(result.good.length).toBe(n - k);
    }
  });

  it('stays within Hwang\'s bound plus one final registering request for one bad record in 5000', async () => {
    // Hwang's bound counts tests to *identify*; here every good record must also sit in an accepted
    // request, which can cost one request more (see docs/dispatcher.md, "Isolation").
    for (let seed = 1; seed <= 30; seed++) {
      const bad = plant(5000, 1, seed);
      const result = await isolate(Array.from({ length: 5000 }, (_, i) => i), oracle(bad).test);
      expect(result.tests).toBeLessThanOrEqual(hwangBound(5000, 1) + 1);
    }
  });

  it('is far below plain halving and near Hwang\'s bound for ten bad records in 5000', async () => {
    let total = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const bad = plant(5000, 10, seed);
      const result = await isolate(Array.from({ length: 5000 }, (_, i) => i), oracle(bad).test);
      expect(result.tests).toBeLessThanOrEqual(Math.ceil(hwangBound(5000, 10) * 1.1) + 1);
      total += result.tests;
    }
    expect(total / 20).toBeLessThanOrEqual(hwangBound(5000, 10) + 6);
  });

  it('infers the last item of a refused pair without sending it, unless confirmAlone asks for it', async () => {
    const sent: number[][] = [];
    const test = async (g: number[]) => {
      sent.push(g);
      return !g.includes(1);
    };
    const inferred = await isolate([0, 1], test);
    expect(inferred.bad).toEqual([1]);
    expect(sent).toEqual([[0]]);

    sent.length = 0;
    const confirmed = await isolate([0, 1], test, { confirmAlone: () => true });
    expect(confirmed.bad).toEqual([1]);
    expect(sent).toEqual([[0], [1]]);
  });

  it('with knownBad false, tries everything at once first', async () => {
    const sent: number[][] = [];
    const result = await isolate([0, 1, 2, 3], async (g) => (sent.push(g), true), { knownBad: false });
    expect(result.tests).toBe(1);
    expect(sent).toEqual([[0, 1, 2, 3]]);
  });

  it('passes an abort of the oracle through', async () => {
    await expect(isolate([0, 1, 2], async () => { throw new Error('paused'); })).rejects.toThrow('paused');
  });
});

describe('hwangGroupSize and hwangBound', () => {
  it('tests one by one when half or more may be bad, and in powers of two otherwise', () => {
    expect(hwangGroupSize(4, 3)).toBe(1);
    expect(hwangGroupSize(5000, 10)).toBe(256);
    expect(hwangGroupSize(5000, 1)).toBe(4096);
  });
  it('matches ⌈log₂ C(n,k)⌉ + k − 1', () => {
    expect(hwangBound(5000, 1)).toBe(13);
    expect(hwangBound(8, 1)).toBe(3);
    expect(hwangBound(5000, 10)).toBe(111);
  });
});
