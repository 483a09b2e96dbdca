import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTurkeyTime } from '../shared/turkey-time.ts';
import { startChild } from './children.ts';
import type { Mode } from './modes.ts';
import { percentile } from './prng.ts';
import { row, type Row } from './table.ts';

type Ack = { id: string; ackAt: number };
type Looked = { id: string; state: string; registeredAt: number | null; confirmedAt?: number | null };

/** One steady run: each acknowledged record's ack → registered time (ms, sorted), and what went wrong. */
export type LatencyRun = { latencies: number[]; acks: number; refused: number; confirmed: number };

/**
 * A light steady load on the collector (built-in sandbox, IYS_FLUSH_MS as given): for each consent,
 * the time from the 202 reaching the sender to the record being marked `registered` in the ledger.
 * Both clocks are this machine's wall clock.
 */
export async function latencyBench(mode: Mode): Promise<Row> {
  const { ratePerS, durationS, flushMs } = mode.latency;
  const { latencies, acks, refused } = await measureLatency(mode, {});
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const met = latencies.length === acks && p50 <= flushMs + 100;
  const unregistered = acks - latencies.length;
  return row({
    bench: 'latency',
    measure: 'acknowledged → registered: p50 ms (vs IYS_FLUSH_MS)',
    load: `${ratePerS} consents/s for ${durationS} s, one channel, SQLite, built-in sandbox`,
    figure: p50,
    baseline: flushMs,
    unit: 'ms',
    target: `p50 ≤ ${flushMs + 100} ms`,
    met,
    note: `p99 ${Math.round(p99)} ms; ${latencies.length}/${acks} registered` +
      (unregistered ? `; ${unregistered} not registered within a minute` : '') +
      (refused ? `; ${refused} posts not answered 202` : '') +
      (p50 > flushMs + 100 ? '; p50 above flush + 100 ms: the machine was too loaded for the batch to leave on time' : ''),
  });
}

/** The steady load of latencyBench against a collector with `env` added (read-back settings, say). */
export async function measureLatency(mode: Mode, env: Record<string, string>): Promise<LatencyRun> {
  const { ratePerS, durationS, flushMs } = mode.latency;
  const dir = mkdtempSync(join(tmpdir(), 'iys-bench-latency-'));
  const collector = await startChild('collector', {
    env: {
      PORT: '0', HOST: '127.0.0.1', IYS_DATABASE_URL: `file:${join(dir, 'ledger.db')}`, IYS_SANDBOX: '1', IYS_RATE_LIMIT: '0',
      IYS_FLUSH_MS: String(flushMs), ...env,
    },
  });
  const url = collector.ready.url as string;
  const total = ratePerS * durationS;
  const acks: Ack[] = [];
  let refused = 0;
  try {
    const started = Date.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / ratePerS;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      sends.push(
        fetch(`${url}/v1/consents`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ recipient: `+90533${String(i).padStart(7, '0')}`, channels: ['MESAJ'], consentDate: formatTurkeyTime(Date.now()) }),
        }).then(async (res) => {
          const ackAt = Date.now();
          if (res.status !== 202) {
            refused++;
            return;
          }
          const { ids } = (await res.json()) as { ids: string[] };
          for (const id of ids) acks.push({ id, ackAt });
        }),
      );
    }
    await Promise.all(sends);
    const ids = acks.map((a) => a.id);
    const until = Date.now() + flushMs + 60_000;
    let looked: Looked[] = [];
    while (Date.now() < until) {
      looked = (await collector.ask<{ records: Looked[] }>({ type: 'byIds', ids })).records;
      if (looked.length === ids.length && looked.every((r) => r.state !== 'pending')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const at = new Map(looked.map((r) => [r.id, r.registeredAt]));
    const latencies = acks.flatMap((a) => {
      const reg = at.get(a.id);
      return reg == null ? [] : [Math.max(0, reg - a.ackAt)];
    }).sort((a, b) => a - b);
    return { latencies, acks: acks.length, refused, confirmed: looked.filter((r) => r.confirmedAt != null).length };
  } finally {
    await collector.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
