import { readFile } from 'node:fs/promises';
import { openStore } from '../stores/open-store.ts';
import { parseImportCsv } from './import-csv.ts';

/**
 * `iys-consent import FILE.csv`: validates every line first; any bad line is reported with its
 * line number and reason and NOTHING is stored (exit 1), so a file can be fixed and re-run without
 * creating duplicates. Otherwise all records go into the store at IYS_DATABASE_URL in one
 * transaction, pending, for the dispatcher to register.
 */

export const USAGE = `usage: iys-consent import FILE.csv

Columns: recipient,type,status,source,consentDate,recipientType
  (header row optional; separator , or ; ; status defaults to ONAY, recipientType to BIREYSEL)
Store: IYS_DATABASE_URL (default file:./data/iys-consent.db)`;

export const DEFAULT_DATABASE_URL = 'file:./data/iys-consent.db';
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

/** Runs the command; resolves to the exit code (0 queued, 1 bad lines, 2 usage or I/O error). */
export async function runImport(args: string[], io: CliIo = processIo): Promise<number> {
  const files = args.filter((a) => a !== '--');
  if (files.length !== 1 || files[0] === '--help' || files[0] === '-h') {
    io.err(USAGE);
    return 2;
  }
  const file = files[0]!;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    io.err(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return 2;
  }

  const result = parseImportCsv(text, { nowMs: (io.now ?? Date.now)() });
  if (!result.ok) {
    for (const b of result.bad.slice(0, MAX_REPORTED)) io.err(`${file}:${b.line}: ${b.reason}`);
    if (result.bad.length > MAX_REPORTED) io.err(`… and ${result.bad.length - MAX_REPORTED} more bad lines`);
    io.err(`${result.bad.length} bad line${result.bad.length === 1 ? '' : 's'}: nothing was stored. Fix them and run the import again.`);
    return 1;
  }

  const url = io.env.IYS_DATABASE_URL || DEFAULT_DATABASE_URL;
  let store;
  try {
    store = openStore(url);
    await store.init();
  } catch (e) {
    io.err(`cannot open the store (IYS_DATABASE_URL): ${(e as Error).message}`);
    return 2;
  }
  try {
    const { ids } = await store.insert(result.records);
    io.out(`queued ${ids.length} record${ids.length === 1 ? '' : 's'} from ${file} (pending registration with İYS)`);
    return 0;
  } catch (e) {
    io.err(`storing failed, nothing was stored: ${(e as Error).message}`);
    return 2;
  } finally {
    await store.close();
  }
}
