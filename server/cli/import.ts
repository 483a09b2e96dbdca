import { readFile } from 'node:fs/promises';
import { keyOf, type IysRecord } from '../../shared/iys-record.ts';
import { intakeHeadroomMs } from '../../shared/sendability.ts';
import { neutraliseFormulas } from '../../shared/spreadsheet-safe.ts';
import { keysOf, stateIssues } from '../intake/batch-states.ts';
import { CONFIG_DEFAULTS, flushMsOf } from '../runtime/config.ts';
import { openStore } from '../stores/open-store.ts';
import { IdempotencyKeyReusedError } from '../stores/idempotency.ts';
import type { ConsentStore, StoredRecord } from '../stores/store.ts';
import { parseImportCsv } from './import-csv.ts';

/**
 * `iys-consent import FILE.csv`: validates every line first, then the file against the İYS state
 * rules (the ledger's latest record of each key and the file's own earlier lines); any bad line is
 * reported with its line number and reason and NOTHING is stored (exit 1), so a file can be fixed
 * and re-run without creating duplicates. A line the ledger already holds is named as such rather
 * than by the state rule it breaks, and a file whose every line is there is "already in the ledger"
 * (exit 0). Otherwise all records go into the store at IYS_DATABASE_URL in one transaction, pending,
 * for the dispatcher to register.
 */

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

function reportBad(io: CliIo, file: string, bad: { line: number; reason: string }[]): number {
  // The reasons echo cells of the file, and a report may be opened as a spreadsheet: no piece may start a formula.
  for (const b of bad.slice(0, MAX_REPORTED)) io.err(neutraliseFormulas(`${file}:${b.line}: ${b.reason}`));
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

export type ImportArgs = { file: string; idempotencyKey: string | null };

/**
 * For each record, the ledger's record with the same key, status and consentDate, if there is one:
 * a line imported before, which the state rules would refuse as a repeat.
 */
async function alreadyInLedger(store: ConsentStore, records: readonly IysRecord[]): Promise<(StoredRecord | undefined)[]> {
  const byRecipient = new Map<string, StoredRecord[]>();
  const out: (StoredRecord | undefined)[] = [];
  for (const r of records) {
    let held = byRecipient.get(r.recipient);
    if (!held) byRecipient.set(r.recipient, (held = await store.byRecipient(r.recipient)));
    out.push(held.find((h) => keyOf(h) === keyOf(r) && h.status === r.status && h.consentDate === r.consentDate));
  }
  return out;
}

/** Runs the command; resolves to the exit code (0 queued or already there, 1 bad lines, 2 I/O error). */
export async function runImport({ file, idempotencyKey }: ImportArgs, io: CliIo = processIo): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    io.err(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return 2;
  }

  let headroomMs: number;
  try {
    headroomMs = intakeHeadroomMs(flushMsOf(io.env));
  } catch (e) {
    io.err(`iys-consent: ${(e as Error).message}`);
    return 2;
  }
  const result = parseImportCsv(text, { nowMs: (io.now ?? Date.now)(), headroomMs });
  if (result.ok && result.ignored.length > 0) io.out(neutraliseFormulas(`note: ${file}: ignored the column${result.ignored.length === 1 ? '' : 's'} ${result.ignored.map((c) => `"${c}"`).join(', ')} (not part of an İYS record)`));
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
      const there = await alreadyInLedger(store, issues.map((b) => result.records[b.index]!.record));
      if (there.every(Boolean) && issues.length === result.records.length) {
        io.out(`already in the ledger: all ${result.records.length} record${result.records.length === 1 ? '' : 's'} of ${file} were imported before (same recipient, channel, status and consentDate); nothing stored again`);
        return 0;
      }
      return reportBad(io, file, issues.map((b, n) => ({
        line: result.lines[b.index]!,
        reason: there[n] ? `already in the ledger (record ${there[n].id}, ${there[n].state}): this line was imported before; leave it out` : b.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
      })));
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
