import { parseCsv } from './csv.ts';
import { validateBatch } from '../intake/batch-validate.ts';
import type { NewRecord } from '../stores/store.ts';

/**
 * The pure core of `iys-consent import FILE.csv`: CSV text to records, through the very validation
 * of POST /v1/consents/batch. A header row is optional; without one the columns are in this order.
 */
export const IMPORT_COLUMNS = ['recipient', 'type', 'status', 'source', 'consentDate', 'recipientType'] as const;
type Column = (typeof IMPORT_COLUMNS)[number];

export type BadLine = { line: number; reason: string };
export type ImportParse =
  | {
      ok: true;
      records: NewRecord[];
      /** The file line of each record, for reporting what the store-side checks find. */
      lines: number[];
      delimiter: ',' | ';';
      header: boolean;
    }
  | { ok: false; bad: BadLine[] };

const byLowerName = new Map<string, Column>(IMPORT_COLUMNS.map((c) => [c.toLowerCase(), c]));

/** A header row names columns; a data row starts with a recipient, which is never a column name. */
function readHeader(fields: string[]): { columns: Column[] } | { unknown: string[] } | undefined {
  const names = fields.map((f) => f.trim().toLowerCase());
  if (!names.some((n) => byLowerName.has(n))) return undefined;
  const unknown = fields.filter((_, i) => !byLowerName.has(names[i]!));
  if (unknown.length > 0) return { unknown };
  return { columns: names.map((n) => byLowerName.get(n)!) };
}

// 9,05E+11 (Turkish decimal comma) or 9.05321E+11: what Excel shows a long number as, digits lost.
const SCIENTIFIC = /^\d+(?:[.,]\d+)?E\+?\d+$/i;

export function isScientificNotation(cell: string): boolean {
  return SCIENTIFIC.test(cell.trim());
}

// DD.MM.YYYY HH:MM[:SS]: how Excel set to Turkish writes a date and time.
const EXCEL_TR_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** A Turkish Excel date as Turkey time YYYY-MM-DD HH:MM:SS (seconds 00 when absent); anything else unchanged, for the usual check. */
export function fromExcelDate(cell: string): string {
  const m = EXCEL_TR_DATE.exec(cell.trim());
  if (!m) return cell;
  const [, day, month, year, hour, minute, second] = m;
  const two = (v: string | undefined) => (v ?? '00').padStart(2, '0');
  return `${year}-${two(month)}-${two(day)} ${two(hour)}:${minute}:${two(second)}`;
}

export function parseImportCsv(text: string, ctx: { nowMs: number; userAgent?: string }): ImportParse {
  const parsed = parseCsv(text);
  if ('error' in parsed) return { ok: false, bad: [{ line: parsed.line, reason: parsed.error }] };
  let rows = parsed.rows;
  if (rows.length === 0) return { ok: false, bad: [{ line: 1, reason: 'the file holds no records' }] };

  const header = readHeader(rows[0]!.fields);
  if (header && 'unknown' in header) {
    return { ok: false, bad: [{ line: rows[0]!.line, reason: `unknown column ${header.unknown.map((u) => `"${u}"`).join(', ')}; the columns are ${IMPORT_COLUMNS.join(', ')}` }] };
  }
  const columns: readonly Column[] = header ? header.columns : IMPORT_COLUMNS;
  if (header) rows = rows.slice(1);
  if (rows.length === 0) return { ok: false, bad: [{ line: 1, reason: 'the file holds a header and no records' }] };

  const bad: BadLine[] = [];
  const raws: Record<string, string>[] = [];
  const lines: number[] = [];
  for (const row of rows) {
    if (row.fields.length > columns.length) {
      bad.push({ line: row.line, reason: `${row.fields.length} fields, expected at most ${columns.length} (${columns.join(', ')}); is the separator "${parsed.delimiter}"?` });
      continue;
    }
    // Empty cells are left out, so status and recipientType take their defaults (ONAY, BIREYSEL).
    const raw: Record<string, string> = {};
    row.fields.forEach((value, i) => {
      if (value.trim() !== '') raw[columns[i]!] = value.trim();
    });
    if (raw.recipient !== undefined && isScientificNotation(raw.recipient)) {
      bad.push({ line: row.line, reason: `recipient: Excel turned this number into scientific notation (${raw.recipient}): format the column as text and export again` });
      continue;
    }
    if (raw.consentDate !== undefined) raw.consentDate = fromExcelDate(raw.consentDate);
    raws.push(raw);
    lines.push(row.line);
  }

  const verdict = validateBatch(raws, { nowMs: ctx.nowMs, userAgent: ctx.userAgent ?? 'iys-consent import' });
  if (!verdict.ok) {
    for (const b of verdict.bad) bad.push({ line: lines[b.index]!, reason: b.issues.map((i) => `${i.path}: ${i.message}`).join('; ') });
  }
  if (bad.length > 0 || !verdict.ok) return { ok: false, bad: bad.sort((a, b) => a.line - b.line) };
  return { ok: true, records: verdict.records, lines, delimiter: parsed.delimiter, header: header !== undefined };
}
