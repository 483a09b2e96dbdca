import os from 'node:os';

/** One line of the results: a figure, the baseline measured in the same run, and the target. */
export type Row = {
  /** Which benchmark (ingest, dispatch, isolation, latency, memory, widget, startup). */
  bench: string;
  /** What the figure is, e.g. "SQLite, 16 conn: req/s". */
  measure: string;
  /** The load it was measured under. */
  load: string;
  figure: number | null;
  baseline: number | null;
  /** figure / baseline (null when either is missing). */
  ratio: number | null;
  unit: string;
  /** The target in words, or null when the row has none. */
  target: string | null;
  /** null when there is no target (or the row could not run). */
  met: boolean | null;
  /** Why a target is not met, or what the baseline is. */
  note: string;
};

export type Machine = { cpu: string; cores: number; node: string; os: string; loadAvg: number[] };

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAvg: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

export function row(r: Omit<Row, 'ratio'> & { ratio?: number | null }): Row {
  const ratio = r.ratio !== undefined ? r.ratio : r.figure !== null && r.baseline !== null && r.baseline !== 0 ? r.figure / r.baseline : null;
  return { ...r, ratio };
}

export function fmt(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

const metText = (m: boolean | null) => (m === null ? '' : m ? 'yes' : 'NO');

/** A Markdown table: readable on a terminal and pasteable into the README as is. */
export function renderTable(rows: Row[]): string {
  const head = ['benchmark', 'measure', 'load', 'figure', 'baseline', 'ratio', 'target', 'met', 'note'];
  const body = rows.map((r) => [
    r.bench, r.measure, r.load, `${fmt(r.figure)} ${r.unit}`.trim(), fmt(r.baseline), r.ratio === null ? '—' : r.ratio.toFixed(2),
    r.target ?? '', metText(r.met), r.note,
  ]);
  const lines = [head, head.map(() => '---'), ...body].map((cells) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  return lines.join('\n');
}

export function describeMachine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.os}, load average ${m.loadAvg.join(' / ')} at the start`;
}
