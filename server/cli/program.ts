import { Command, InvalidArgumentError } from 'commander';
import { consentBodySchema } from '../../shared/consent-body.ts';
import { ACCOUNT_VARIABLES, CONFIG_DEFAULTS, CONFIG_VARIABLES } from '../runtime/config.ts';
import { COLUMN_NAMES, IMPORT_COLUMNS } from './import-columns.ts';

/**
 * The `iys-consent` command line (commander): `serve`, `demo`, `import`, `check-config`, each with
 * `--help`, and `--version`. Only the parsing and the help live here; each command's module is
 * loaded when that command runs, so `--help` starts nothing. Actions set process.exitCode; the
 * collector commands keep the process running until a signal stops it.
 */

const DOCS = 'docs/contract.md';

function environmentHelp(): string {
  const defaults: Record<string, string> = CONFIG_DEFAULTS;
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.length)) + 2;
  const lines = CONFIG_VARIABLES.map((name) => {
    const value = defaults[name] !== undefined
      ? `default ${defaults[name]}${name === 'IYS_DATABASE_URL' ? ' (under the working directory)' : ''}`
      : (ACCOUNT_VARIABLES as readonly string[]).includes(name) ? 'required unless IYS_SANDBOX=1' : 'not set';
    return `  ${name.padEnd(width)}${value}`;
  });
  // The logger reads LOG_LEVEL itself (server/log/logger.ts), so it is not among CONFIG_VARIABLES.
  lines.push(`  ${'LOG_LEVEL'.padEnd(width)}default info (trace, debug, info, warn, error, fatal, silent)`);
  return `\nEnvironment (what each means: ${DOCS}#environment):\n${lines.join('\n')}\n`;
}

const columnsHelp = (): string => [
  '',
  'Columns, named in a first row in Turkish or English (any order, any case, accents optional):',
  ...IMPORT_COLUMNS.map((c) => `  ${c.padEnd(15)}${COLUMN_NAMES[c].slice(1, 5).join(', ')}`),
  'Other columns (e.g. "Ad Soyad") are ignored. Without a header row the columns are',
  `  ${IMPORT_COLUMNS.join(',')}`,
  'in that order. Separator , or ;. Values: type MESAJ (SMS), EPOSTA (E-posta), ARAMA (Arama);',
  'status ONAY (Onay, the default) or RET (Ret); recipientType BIREYSEL (the default) or TACIR;',
  'source HS_… (Çağrı Merkezi, Islak İmza…); consentDate in Turkey time, YYYY-MM-DD HH:MM:SS or',
  'DD.MM.YYYY HH:MM[:SS]. Any bad line: nothing is stored (exit 1). A record must leave the',
  `collector time to send it: its deadline (consentDate + 72 h) at least 7 min + IYS_FLUSH_MS (default ${CONFIG_DEFAULTS.IYS_FLUSH_MS} ms) away.`,
  `Ledger: IYS_DATABASE_URL (default ${CONFIG_DEFAULTS.IYS_DATABASE_URL}, under the working directory).`,
  '',
].join('\n');

function idempotencyKey(value: string): string {
  const key = consentBodySchema.shape.idempotencyKey.safeParse(value);
  if (!key.success || key.data === undefined) throw new InvalidArgumentError('it needs 8–128 letters, digits or . _ : -');
  return key.data;
}

export function createProgram(version: string): Command {
  const program = new Command('iys-consent')
    .description('Collect İYS consent on web forms and register it through iletiMerkezi: the collector, its demo, the CSV import and a check of the settings.')
    .version(version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show the usage')
    .helpCommand(false)
    .showHelpAfterError('(add --help for the usage)')
    // Errors come back to main.ts, which exits 2 for a usage error and 0 after --help or --version.
    .exitOverride()
    .addHelpText('after', `\nEvery command reads its settings from the environment: iys-consent serve --help, ${DOCS}.\n`);

  program
    .command('serve')
    .description('run the collector, configured by the environment')
    .addHelpText('after', environmentHelp())
    .action(async () => {
      const { runCollector } = await import('../runtime/run-collector.ts');
      await runCollector(process.env, { demo: false });
    });

  program
    .command('demo')
    .description('run the demo: the collector with the built-in İYS sandbox and the demo pages at /')
    .addHelpText('after', `\nIYS_SANDBOX defaults to 1 and IYS_ALLOWED_ORIGINS to the demo's own origin; read-back is quick enough\nto watch: IYS_CONFIRM_DELAY_MS defaults to 2000 (serve: ${CONFIG_DEFAULTS.IYS_CONFIRM_DELAY_MS}) and IYS_SWEEP_AFTER_MS to 30000\n(serve: ${CONFIG_DEFAULTS.IYS_SWEEP_AFTER_MS}). Whatever the environment sets wins. PORT, HOST and IYS_DATABASE_URL\nas for serve (default ${CONFIG_DEFAULTS.IYS_DATABASE_URL}, under the working directory).\n`)
    .action(async () => {
      const [{ runCollector }, { demoEnvironment }] = await Promise.all([import('../runtime/run-collector.ts'), import('./demo-environment.ts')]);
      await runCollector(demoEnvironment(process.env), { demo: true });
    });

  program
    .command('import')
    .description('queue call-centre, wet-signature or other-source records from a CSV file')
    .argument('<file>', 'the CSV file')
    .option('--idempotency-key <key>', 'running the same file again with the same key stores nothing twice', idempotencyKey)
    .addHelpText('after', columnsHelp())
    .action(async (file: string, opts: { idempotencyKey?: string }) => {
      const { runImport } = await import('./import.ts');
      process.exitCode = await runImport({ file, idempotencyKey: opts.idempotencyKey ?? null });
    });

  program
    .command('check-config')
    .description('check the settings, the ledger (opens, writable) and iletiMerkezi (answers, accepts the credentials)')
    .addHelpText('after', '\nAn ok: line on stdout per check that passed, a line on stderr per problem; exit 1 on any problem, else 0.\nWith IYS_SANDBOX=1 it checks the built-in sandbox in this process instead of iletiMerkezi.\n' + environmentHelp())
    .action(async () => {
      const { runCheckConfig } = await import('./check-config.ts');
      process.exitCode = await runCheckConfig(process.env);
    });

  return program;
}
