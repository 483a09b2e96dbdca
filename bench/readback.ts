import type { Mode } from './modes.ts';
import { measureLatency, type LatencyRun } from './latency.ts';
import { percentile } from './prng.ts';
import { row, type Row } from './table.ts';

/**
 * Sending never waits on read-back: the latency row's steady load (ack → registered) run with
 * read-back off (IYS_READBACK=0, the baseline) and on, confirming every record as soon as it is
 * registered (IYS_CONFIRM_DELAY_MS=0) at the highest pace allowed (IYS_READBACK_RATE=100), so the
 * look-ups run while the dispatcher sends. Off and on alternate, twice each, and the medians of their
 * p50s are compared: a ratio near 1 means the look-ups cost sending nothing measurable.
 */
export async function readbackLatencyBench(mode: Mode): Promise<Row> {
  const { ratePerS, durationS, flushMs } = mode.latency;
  const off: LatencyRun[] = [];
  const on: LatencyRun[] = [];
  for (let i = 0; i < 2; i++) {
    off.push(await measureLatency(mode, { IYS_READBACK: '0' }));
    on.push(await measureLatency(mode, { IYS_READBACK: '1', IYS_CONFIRM_DELAY_MS: '0', IYS_READBACK_RATE: '100' }));
  }
  const p50s = (runs: LatencyRun[]) => runs.map((r) => percentile(r.latencies, 50)).sort((a, b) => a - b);
  const median = (xs: number[]) => (xs.length % 2 ? xs[(xs.length - 1) / 2]! : (xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2);
  const pOff = median(p50s(off));
  const pOn = median(p50s(on));
  const registered = (runs: LatencyRun[]) => runs.reduce((n, r) => n + r.latencies.length, 0);
  const acked = (runs: LatencyRun[]) => runs.reduce((n, r) => n + r.acks, 0);
  const confirmed = on.reduce((n, r) => n + r.confirmed, 0);
  const all = registered(off) === acked(off) && registered(on) === acked(on);
  return row({
    bench: 'latency',
    measure: 'acknowledged → registered p50 ms, read-back on vs off',
    load: `${ratePerS} consents/s for ${durationS} s, IYS_FLUSH_MS ${flushMs}, off/on alternating ×2; on: IYS_CONFIRM_DELAY_MS 0, IYS_READBACK_RATE 100`,
    figure: pOn,
    baseline: pOff,
    unit: 'ms',
    target: 'on ≤ 1.2 × off',
    met: all && pOn <= 1.2 * pOff,
    note: `p50s off ${p50s(off).map(Math.round).join(', ')} ms, on ${p50s(on).map(Math.round).join(', ')} ms; ` +
      `${registered(on)}/${acked(on)} registered with read-back on, ${confirmed} of them confirmed by the time the last registered` +
      (all ? '' : `; ${acked(off) + acked(on) - registered(off) - registered(on)} not registered within a minute`),
  });
}
