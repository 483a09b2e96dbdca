import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../bench/run.ts';

/**
 * `npm run bench` in its smallest configuration (--smoke: tiny counts, one connection level, a few
 * seconds each), through the real entry point, so the harness cannot rot. No timing is asserted:
 * only that every benchmark produced figures, baselines and ratios, and that the results file is written.
 */
const BENCHES = ['ingest', 'dispatch', 'isolation', 'latency', 'memory', 'widget', 'startup', 'console'];
const dir = mkdtempSync(join(tmpdir(), 'iys-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runBench(out: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--out', out], { cwd: process.cwd(), env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('bench harness (smoke mode)', () => {
  it('prints and writes every benchmark, each with a figure, a baseline and a ratio', async () => {
    const out = join(dir, 'results.json');
    const { code, stdout, stderr } = await runBench(out);
    expect(code, stderr).toBe(0);

    const results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;
    expect(results.mode).toBe('smoke');
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    // A row without a figure is allowed only where it was not run for a stated reason (no PostgreSQL);
    // one that tried and failed says so with met: false and its error in the note.
    const broken = results.rows.filter((r) => r.figure === null && r.met !== null);
    expect(broken.map((r) => `${r.bench}: ${r.measure}: ${r.note}`)).toEqual([]);

    for (const bench of BENCHES) {
      const measured = results.rows.filter((r) => r.bench === bench && r.figure !== null);
      expect(measured.length, `rows for ${bench}`).toBeGreaterThan(0);
      for (const r of measured) {
        expect(Number.isFinite(r.figure), `${bench}: ${r.measure} figure`).toBe(true);
        expect(Number.isFinite(r.baseline), `${bench}: ${r.measure} baseline`).toBe(true);
        expect(Number.isFinite(r.ratio), `${bench}: ${r.measure} ratio`).toBe(true);
        expect(r.load.length).toBeGreaterThan(0);
        // A row with a target says whether it is met; one without has nothing to meet.
        expect(r.met === null).toBe(r.target === null);
      }
      expect(stdout).toContain(`| ${bench} |`);
    }

    // Ingest: every acknowledged record was found in the ledger.
    const ingest = results.rows.filter((r) => r.bench === 'ingest' && /conn: req\/s/.test(r.measure));
    expect(ingest.length).toBeGreaterThan(0);
    for (const r of ingest) expect(r.note).toMatch(/records acked, 0 lost/);
    expect(stdout).toContain(`machine: ${results.machine.cpu}, ${results.machine.cores} cores`);
  }, 300_000);
});
