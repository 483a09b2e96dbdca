import { CONFIG_DEFAULTS, ConfigError, loadConfig, type Config } from '../runtime/config.ts';
import { openStore } from '../stores/open-store.ts';
import { emptyRegistryWarning } from '../runtime/notice-policy-warning.ts';
import { checkIletiMerkezi } from './check-iletimerkezi.ts';

/**
 * `iys-consent check-config`: what would stop the collector or keep it from registering anything,
 * found before it runs. Every setting (all problems at once), the ledger (opens, takes a write:
 * ConsentStore.probeWrite) and iletiMerkezi (answers, accepts the credentials). Each check says
 * "ok" in one line on stdout or names its problem in one line on stderr; credentials and the
 * database URL's password never appear.
 */

/** `warnings`: right settings that will still refuse something (printed, the exit code stays 0). */
export type CheckReport = { passed: string[]; problems: string[]; warnings: string[] };

/** Where the ledger is, for a message: the SQLite path, or PostgreSQL's host and database without user or password. */
export function describeLedger(url: string): string {
  if (url.startsWith('file:')) return `the SQLite ledger ${url.slice('file:'.length)}`;
  const u = new URL(url);
  return `the PostgreSQL ledger ${u.host}${u.pathname}`;
}

async function checkLedger(url: string, config: Config | undefined): Promise<{ ok: string; warning: string | null } | { problem: string }> {
  const where = describeLedger(url);
  let store;
  try {
    store = openStore(url);
    await store.init();
  } catch (err) {
    await store?.close().catch(() => {});
    return { problem: `IYS_DATABASE_URL: ${where} cannot be opened: ${(err as Error).message}` };
  }
  try {
    await store.probeWrite();
    return { ok: `${where} opens and takes writes`, warning: config ? await emptyRegistryWarning(config, store) : null };
  } catch (err) {
    return { problem: `IYS_DATABASE_URL: ${where} opens but takes no writes: ${(err as Error).message}` };
  } finally {
    await store.close().catch(() => {});
  }
}

export async function checkConfig(env: Record<string, string | undefined>): Promise<CheckReport> {
  const report: CheckReport = { passed: [], problems: [], warnings: [] };
  let config: Config | undefined;
  try {
    config = loadConfig(env);
    report.passed.push('the settings');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    report.problems.push(...err.problems.map((p) => `${p.variable} ${p.message}`));
  }

  // The ledger is checked whatever else is wrong, as long as its own setting is good.
  if (!report.problems.some((p) => p.startsWith('IYS_DATABASE_URL '))) {
    const ledger = await checkLedger(config?.databaseUrl ?? (env.IYS_DATABASE_URL || CONFIG_DEFAULTS.IYS_DATABASE_URL), config);
    if ('ok' in ledger) {
      report.passed.push(ledger.ok);
      if (ledger.warning) report.warnings.push(ledger.warning);
    } else report.problems.push(ledger.problem);
  }

  if (config) {
    const iletimerkezi = await checkIletiMerkezi(config);
    if ('ok' in iletimerkezi) report.passed.push(iletimerkezi.ok);
    else report.problems.push(iletimerkezi.problem);
  } else {
    report.problems.push('iletiMerkezi: not checked until the settings above are right');
  }
  return report;
}

/** Runs the command: 0 when every check passed, 1 when one found a problem. */
export async function runCheckConfig(env: Record<string, string | undefined>): Promise<number> {
  const { passed, problems, warnings } = await checkConfig(env);
  for (const line of passed) process.stdout.write(`ok: ${line}\n`);
  for (const line of warnings) process.stderr.write(`warn: ${line}\n`);
  for (const line of problems) process.stderr.write(`${line.replace(/[\r\n]+/g, ' ')}\n`);
  return problems.length > 0 ? 1 : 0;
}
