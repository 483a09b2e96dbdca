import { describe, expect, it } from 'vitest';
import { splitIntoWindows } from '../../shared/windows.ts';

type R = { id: number; key: string; consentDate: string };
const keyOf = (r: R) => r.key;
const rec = (id: number, key: string, consentDate = '2026-11-26 10:00:00'): R => ({ id, key, consentDate });

function checkInvariants(records: R[], windows: R[][], max: number) {
  expect(windows.flat().map((r) => r.id).sort((a, b) => a - b)).toEqual(records.map((r) => r.id).sort((a, b) => a - b));
  const windowOf = new Map<R, number>();
  windows.forEach((w, i) => {
    expect(w.length).toBeGreaterThan(0);
    expect(w.length).toBeLessThanOrEqual(max);
    expect(new Set(w.map(keyOf)).size).toBe(w.length); // never two of a key in one window
    for (const r of w) windowOf.set(r, i);
  });
  for (const a of records) {
    for (const b of records) {
      if (a.key === b.key && a.consentDate < b.consentDate) expect(windowOf.get(a)!).toBeLessThan(windowOf.get(b)!);
    }
  }
}

describe('splitIntoWindows', () => {
  it('makes windows of at most max, in the given order', () => {
    const records = Array.from({ length: 12_001 }, (_, i) => rec(i, `k${i}`));
    const windows = splitIntoWindows(records, keyOf);
    expect(windows.map((w) => w.length)).toEqual([5000, 5000, 2001]);
    expect(windows[0]![0]!.id).toBe(0);
    expect(windows[2]![2000]!.id).toBe(12_000);
  });

  it.each([1, 2, 3, 7, 5000])('keeps the invariants with max %i', (max) => {
    const records: R[] = [];
    let id = 0;
    for (let k = 0; k < 20; k++) {
      for (let n = 0; n < (k % 4) + 1; n++) records.push(rec(id++, `k${k}`, `2026-11-26 10:0${3 - n}:00`)); // arrives newest first
    }
    checkInvariants(records, splitIntoWindows(records, keyOf, max), max);
  });

  it('sends ONAY then RET of one key in two windows, oldest first, whatever the arrival order', () => {
    const ret = rec(1, 'a', '2026-11-26 10:05:00');
    const onay = rec(2, 'a', '2026-11-26 10:00:00');
    const other = rec(3, 'b');
    const windows = splitIntoWindows([ret, other, onay], keyOf);
    expect(windows).toEqual([[other, onay], [ret]]);
  });

  it('keeps arrival order for equal consentDates of one key', () => {
    const a = rec(1, 'a');
    const b = rec(2, 'a');
    expect(splitIntoWindows([a, b], keyOf)).toEqual([[a], [b]]);
  });

  it('gives nothing for nothing', () => {
    expect(splitIntoWindows([], keyOf)).toEqual([]);
  });

  it.each([0, -1, 5001, 2.5, Number.NaN])('refuses a window size of %s', (max) => {
    expect(() => splitIntoWindows([rec(1, 'a')], keyOf, max)).toThrow(/window size must be 1–5000/);
  });
});
