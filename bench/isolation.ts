import { hwangBound, isolate } from '../server/dispatch/isolation.ts';
import type { Mode } from './modes.ts';
import { seeded } from './prng.ts';
import { row, type Row } from './table.ts';

/** ⌈log₂ C(n, k)⌉: no adaptive strategy can always find k bad among n in fewer tests. */
export function lowerBound(n: number, k: number): number {
  let log2 = 0;
  for (let i = 0; i < k; i++) log2 += Math.log2(n - i) - Math.log2(i + 1);
  return Math.ceil(log2 - 1e-9);
}

/** k distinct positions among n, drawn by a seeded Fisher–Yates. */
function placement(n: number, k: number, seed: number): Set<number> {
  const random = seeded(seed);
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return new Set(all.slice(0, k));
}

/**
 * The pure isolate() with a counting oracle, over seeded random placements of k bad among n.
 * Counted: the requests after the refused full batch (the isolation itself).
 */
export async function isolationBench(mode: Mode): Promise<Row[]> {
  const { n, ks, placements } = mode.isolation;
  const items = Array.from({ length: n }, (_, i) => i);
  const rows: Row[] = [];
  for (const k of ks) {
    const counts: number[] = [];
    for (let p = 0; p < placements; p++) {
      const bad = placement(n, k, 1000 * k + p);
      const result = await isolate(items, async (group) => !group.some((i) => bad.has(i)));
      if (result.bad.length !== k || !result.bad.every((i) => bad.has(i))) throw new Error(`isolation: wrong answer for k=${k}, seed ${p}`);
      counts.push(result.tests);
    }
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const max = Math.max(...counts);
    const lb = lowerBound(n, k);
    const hwang = hwangBound(n, k);
    const met = mean <= hwang;
    rows.push(
      row({
        bench: 'isolation',
        measure: `k = ${k} bad among ${n}: requests`,
        load: `${placements} seeded placements`,
        figure: mean,
        baseline: lb,
        unit: 'req',
        target: `≤ Hwang ${hwang}`,
        met,
        note: `mean over placements (max ${max}); baseline ⌈log₂ C(n,k)⌉ = ${lb}` +
          (max > hwang ? `; ${counts.filter((c) => c > hwang).length} of ${placements} placements above Hwang's bound` : '') +
          (met ? '' : ': the bound counts tests to identify k bad items with k KNOWN; here k is unknown and every good record must also land in an accepted request, which costs a few requests more'),
      }),
    );
  }
  return rows;
}
