import { MAX_BATCH } from './iletimerkezi.ts';

/**
 * Splits records into request windows of at most `max`. Records of one key keep their consentDate
 * order, and no window holds two records of one key: the n-th record of every key goes in round n,
 * and rounds are sent in order. Within a round the caller's order (earliest deadline first) is kept.
 */
export function splitIntoWindows<T extends { consentDate: string }>(
  records: readonly T[],
  keyOf: (r: T) => string,
  max: number = MAX_BATCH,
): T[][] {
  if (!Number.isInteger(max) || max < 1 || max > MAX_BATCH) throw new RangeError(`window size must be 1–${MAX_BATCH}, got ${max}`);
  const byKey = new Map<string, T[]>();
  for (const r of records) {
    const k = keyOf(r);
    const list = byKey.get(k);
    if (list) list.push(r);
    else byKey.set(k, [r]);
  }
  const roundOf = new Map<T, number>();
  for (const list of byKey.values()) {
    if (list.length === 1) {
      roundOf.set(list[0]!, 0);
      continue;
    }
    // Stable sort: equal dates keep arrival order. "YYYY-MM-DD HH:MM:SS" sorts as text.
    list.sort((a, b) => (a.consentDate < b.consentDate ? -1 : a.consentDate > b.consentDate ? 1 : 0));
    list.forEach((r, i) => roundOf.set(r, i));
  }
  const rounds: T[][] = [];
  for (const r of records) (rounds[roundOf.get(r)!] ??= []).push(r);
  const windows: T[][] = [];
  for (const round of rounds) {
    for (let i = 0; i < round.length; i += max) windows.push(round.slice(i, i + max));
  }
  return windows;
}
