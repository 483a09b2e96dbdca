import { readFile } from 'node:fs/promises';
import { consentBodySchema } from '../../shared/consent-body.ts';
import type { IysRecord } from '../../shared/iys-record.ts';
import { keysOf, stateIssues } from '../intake/batch-states.ts';
import { CONFIG_DEFAULTS } from '../runtime/config.ts';
import { openStore } from '../stores/open-store.ts';
import { IdempotencyKeyReusedError } from '../stores/idempotency.ts';
import type { ConsentStore } from '../stores/store.ts';
import { parseImportCsv } from './import-csv.ts';

/**
 * `iys-consent import FILE.csv`: validates every line first, then the file against the İYS state
 * rules (the ledger's latest record of each key and the file's own earlier lines); any bad line is
 * reported with its line number and reason and NOTHING is stored (exit 1), so a file can be fixed
 * and re-run without creating duplicates. Otherwise all records go into the store at
 * IYS_DATABASE_URL in one transaction, pending, for the dispatcher to register.
 */

export const USAGE = `usage: iys-consent import [--idempotency-key KEY] FILE.csv

Columns: recipient,type,status,source,consentDate,recipientType
  (header row optional; separator , or ; ; status defaults to ONAY, recipientType to BIREYSEL;
   consentDate in Turkey time as YYYY-MM-DD HH:MM:SS or DD.MM.YYYY HH:MM[:SS])
--idempotency-key KEY: running the same file again with the same key stores nothing twice
Store: IYS_DATABASE_URL (default ${CONFIG_DEFAULTS.IYS_DATABASE_URL})`;

const MAX_REPORTED = 200;

export type CliIo = {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  now?: () => number;
};

const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

type Args = { file: string; idempotencyKey: string | null } | { usage: string };

export function parseArgs(args: string[]): Args {
  let idempotencyKey: string | null = null;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') continue;
    if (a === '--help' || a === '-h') return { usage: USAGE };
    if (a === '--idempotency-key' || a.startsWith('--idempotency-key=')) {
      const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      const key = consentBodySchema.shape.idempotencyKey.safeParse(value);
      if (value === undefined || !key.success || key.data === undefined) {
        return { usage: `--idempotency-key needs 8–128 letters, digits or . _ : -\n\n${USAGE}` };
      }
      idempotencyKey = key.data;
    } else {
      files.push(a);
    }
  }
  return files.length === 1 ? { file: files[0]!, idempotencyKey } : { usage: USAGE };
}

function reportBad(io: CliIo, file: string, bad: { line: number; reason: string }[]): number {
  for (const b of bad.slice(0, MAX_REPORTED)) io.err(`${file}:${b.line}: ${b.reason}`);
  if (bad.length > MAX_REPORTED) io.err(`… and ${bad.length - MAX_REPORTED} more bad lines`);
  io.err(`${bad.length} bad line${bad.length === 1 ? '' : 's'}: nothing was stored. Fix them and run the import again.`);
  return 1;
}

/** What was queued, counted by channel, status and source: "2 MESAJ, 1 EPOSTA; 3 ONAY; 2 HS_ISLAK_IMZA, 1 HS_ETKINLIK". */
export function summary(records: readonly IysRecord[]): string {
  const count = (field: 'type' | 'status' | 'source') => {
    const n = new Map<string, number>();
    for (const r of records) n.set(r[field], (n.get(r[field]) ?? 0) + 1);
    return [...n].map(([k, v]) => `${v} ${k}`).join(', ');
  };
  return `${count('type')}; ${count('status')}; ${count('source')}`;
}

/** Runs the command; resolves to the exit code (0 queued, 1 bad lines, 2 usage or I/O error). */
export async function runImport(args: string[], io: CliIo = processIo): Promise<number> {
  const parsedArgs = parseArgs(args);
  if ('usage' in parsedArgs) {
    io.err(parsedArgs.usage);
    return 2;
  }
  const { file, idempotencyKey } = parsedArgs;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    io.err(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return 2;
  }

  const result = parseImportCsv(text, { nowMs: (io.now ?? Date.now)() });
  if (!result.ok) return reportBad(io, file, result.bad);

  const url = io.env.IYS_DATABASE_URL || CONFIG_DEFAULTS.IYS_DATABASE_URL;
  let store: ConsentStore;
  try {
    store = openStore(url);
    await store.init();
  } catch (e) {
    io.err(`cannot open the store (IYS_DATABASE_URL): ${(e as Error).message}`);
    return 2;
  }
  try {
    if (idempotencyKey !== null) {
      const replayed = await store.replay(idempotencyKey, result.records);
      if (replayed) {
        io.out(`already queued: ${file} was imported before with --idempotency-key ${idempotencyKey} (${replayed.ids.length} records); nothing stored again`);
        return 0;
      }
    }
    const judged = result.records.map((r, index) => ({ index, record: r.record }));
    const issues = stateIssues(judged, await store.latestOfKeys(keysOf(judged)), (i) => `line ${result.lines[i]}`);
    if (issues.length > 0) {
      return reportBad(io, file, issues.map((b) => ({ line: result.lines[b.index]!, reason: b.issues.map((i) => `${i.path}: ${i.message}`).join('; ') })));
    }
    const { ids, duplicate } = await store.insert(result.records, idempotencyKey);
    io.out(duplicate
      ? `already queued: ${file} was imported before with --idempotency-key ${idempotencyKey}; nothing stored again`
      : `queued ${ids.length} record${ids.length === 1 ? '' : 's'} from ${file} (pending registration with İYS): ${summary(result.records.map((r) => r.record))}`);
    return 0;
  } catch (e) {
    if (e instanceof IdempotencyKeyReusedError) {
      io.err(`--idempotency-key ${idempotencyKey} was already used for other records: nothing was stored. Use a new key for a new file`);
      return 1;
    }
    io.err(`storing failed, nothing was stored: ${(e as Error).message}`);
    return 2;
  } finally {
    await store.close();
  }
}
