import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { row, type Row } from './table.ts';

/** main before issue 16 (server-held notices, signed form tokens, the SMS code): the bundle the issue's growth is measured from. */
export const PRE_ISSUE_16 = '6e0279e';
const GZIP_BUDGET = 8 * 1024;

/**
 * The self-contained bundle as `vite build` makes it from commit `commit` (its own sources and vite
 * config, this checkout's node_modules), in a temp folder: the baseline measured in the same run.
 * IYS_BENCH_WIDGET_BASELINE names a bundle built that way already.
 */
function bundleAt(root: string, commit: string, log: (s: string) => void): Buffer {
  const given = process.env.IYS_BENCH_WIDGET_BASELINE;
  if (given) return readFileSync(given);
  const dir = mkdtempSync(join(tmpdir(), `iys-widget-${commit}-`));
  try {
    log(`widget: building the bundle of commit ${commit} in ${dir}`);
    const tree = execFileSync('git', ['-C', root, 'archive', commit], { maxBuffer: 256 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: tree });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    const built = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: dir, encoding: 'utf8' });
    const bundle = join(dir, 'dist/widget/iys-consent.js');
    if (built.status !== 0 || !existsSync(bundle)) throw new Error(`vite build of ${commit} failed: ${built.stderr.slice(-300)}`);
    return readFileSync(bundle);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The base bundle's gzip size against the same bundle before issue 16, as a ratio. */
export function growthRow(root: string, bundle: Buffer, log: (s: string) => void): Row {
  const now = gzipSync(bundle, { level: 9 }).length;
  const measure = `bundle gzip, bytes, against commit ${PRE_ISSUE_16} (before issue 16)`;
  try {
    const before = gzipSync(bundleAt(root, PRE_ISSUE_16, log), { level: 9 }).length;
    return row({
      bench: 'widget', measure, load: 'the self-contained bundle, gzip -9, both built in this run',
      figure: now, baseline: before, unit: 'B', target: `≤ ${GZIP_BUDGET} B gzip`, met: now <= GZIP_BUDGET,
      note: `baseline: ${before} B built from ${PRE_ISSUE_16}; ${now - before >= 0 ? '+' : ''}${now - before} B for issue 16 (notice="VERSION", form tokens, the code step's loader)`,
    });
  } catch (err) {
    return row({
      bench: 'widget', measure, load: 'the self-contained bundle, gzip -9', figure: now, baseline: null, unit: 'B',
      target: `≤ ${GZIP_BUDGET} B gzip`, met: false, note: `no baseline: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
}
