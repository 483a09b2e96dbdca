import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dispatchBench } from './dispatch.ts';
import { exportBench } from './export.ts';
import { ingestBench } from './ingest.ts';
import { ingestCostBench } from './ingest-cost.ts';
import { isolationBench } from './isolation.ts';
import { latencyBench } from './latency.ts';
import { readbackLatencyBench } from './readback.ts';
import { memoryBench } from './memory.ts';
import { middlewareBench } from './middleware.ts';
import { MODES, type Mode } from './modes.ts';
import { startupBench } from './startup.ts';
import { describeMachine, machine, renderTable, row, type Machine, type Row } from './table.ts';
import { widgetBench } from './widget.ts';
import { consoleBench } from './console.ts';

export const RESULTS_PATH = fileURLToPath(new URL('./results.json', import.meta.url));

export type BenchResults = { date: string; mode: Mode['name']; machine: Machine; durationS: number; rows: Row[] };

type Step = { bench: string; run: () => Promise<Row | Row[]> };

/** Runs the benchmarks in turn; one that fails becomes a row saying why, and the rest still run. */
export async function runBench(opts: { mode: Mode; out?: string; log?: (s: string) => void }): Promise<BenchResults> {
  const { mode } = opts;
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const m = machine();
  const started = Date.now();
  log(`iys-consent bench, ${mode.name} mode, on ${describeMachine(m)}`);
  const steps: Step[] = [
    { bench: 'ingest', run: () => ingestBench(mode, log) },
    { bench: 'ingest', run: () => middlewareBench(mode) },
    { bench: 'ingest', run: () => ingestCostBench(mode) },
    { bench: 'ingest', run: () => exportBench(mode, log) },
    { bench: 'dispatch', run: () => dispatchBench(mode) },
    { bench: 'isolation', run: () => isolationBench(mode) },
    { bench: 'latency', run: () => latencyBench(mode) },
    { bench: 'latency', run: () => readbackLatencyBench(mode) },
    { bench: 'memory', run: () => memoryBench(mode, log) },
    { bench: 'widget', run: () => widgetBench(mode, log) },
    { bench: 'startup', run: () => startupBench(mode, log) },
    { bench: 'console', run: () => consoleBench(mode, log) },
  ];
  const rows: Row[] = [];
  for (const step of steps) {
    const t = Date.now();
    try {
      const got = await step.run();
      rows.push(...(Array.isArray(got) ? got : [got]));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      rows.push(row({ bench: step.bench, measure: 'failed to run', load: '—', figure: null, baseline: null, unit: '', target: null, met: false, note: message }));
    }
    log(`${step.bench}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  const results: BenchResults = { date: new Date().toISOString(), mode: mode.name, machine: m, durationS: (Date.now() - started) / 1000, rows };
  writeFileSync(opts.out ?? RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

export function report(results: BenchResults): string {
  return [
    `iys-consent benchmarks, ${results.mode} mode, ${results.date}`,
    `machine: ${describeMachine(results.machine)}; took ${results.durationS.toFixed(0)} s`,
    '',
    renderTable(results.rows),
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const name = process.argv.includes('--full') ? 'full' : process.argv.includes('--smoke') ? 'smoke' : 'quick';
  const outAt = process.argv.indexOf('--out');
  const out = outAt > 0 ? process.argv[outAt + 1] : undefined;
  const results = await runBench({ mode: MODES[name], out });
  process.stdout.write(report(results));
  const missed = results.rows.filter((r) => r.met === false);
  if (missed.length) process.stdout.write(`\n${missed.length} row(s) below target: see the note column.\n`);
}
