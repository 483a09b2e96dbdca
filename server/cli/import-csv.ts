import { parseCsv } from './csv.ts';
import { validateBatch } from '../intake/batch-validate.ts';
import type { NewRecord } from '../stores/store.ts';
import { COLUMN_NAMES, IMPORT_COLUMNS, REQUIRED_COLUMNS, columnOf, valueOf, type ImportColumn } from './import-columns.ts';

/**
 * The pure core of `iys-consent import FILE.csv`: CSV text to records, through the very validation
 * of POST /v1/consents/batch. A header row names the columns (import-columns.ts: Turkish or English,
 * any order, extra columns ignored); without one the columns are IMPORT_COLUMNS, in that order.
 */

export type BadLine = { line: number; reason: string };
export type ImportParse =
  | {
      ok: true;
      records: NewRecord[];
      /** The file line of each record, for reporting what the store-side checks find. */
      lines: number[];
      delimiter: ',' | ';';
      header: boolean;
      /** Header cells naming no column this import reads: left out, for a note. */
      ignored: string[];
    }
  | { ok: false; bad: BadLine[] };

type Header = { columns: (ImportColumn | undefined)[]; ignored: string[] };

const describeColumn = (c: ImportColumn) => COLUMN_NAMES[c].slice(0, 2).reverse().join(' or ');

/**
 * A header row names at least one column; a data row starts with a recipient, which never does.
 * Errors: two cells naming one column, or a required column missing.
 */
function readHeader(fields: string[]): Header | { error: string } | undefined {
  const columns = fields.map(columnOf);
  if (!columns.some(Boolean)) return undefined;
  const seen = new Map<ImportColumn, string>();
  for (const [i, column] of columns.entries()) {
    if (!column) continue;
    const earlier = seen.get(column);
    if (earlier !== undefined) return { error: `the columns "${earlier}" and "${fields[i]!.trim()}" both hold the ${column}: keep one of them` };
    seen.set(column, fields[i]!.trim());
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !seen.has(c));
  if (missing.length > 0) {
    return { error: `the header has no column for ${missing.map(describeColumn).join(', ')} (the columns are ${IMPORT_COLUMNS.map(describeColumn).join(', ')})` };
  }
  return { columns, ignored: fields.filter((f, i) => !columns[i] && f.trim() !== '').map((f) => f.trim()) };
}

// 9,05E+11 (Turkish decimal comma) or 9.05321E+11: what Excel shows a long number as, digits lost.
const SCIENTIFIC = /^\d+(?:[.,]\d+)?E\+?\d+$/i;

export function isScientificNotation(cell: string): boolean {
  return SCIENTIFIC.test(cell.trim());
}

/** Whether a first cell may be a recipient as typed, right or wrong: then its row is data, for the usual checks. */
function mayBeRecipient(cell: string): boolean {
  const c = cell.trim();
  return c === '' || /^[+\d][\d\s().\-/\u00a0]*$/.test(c) || c.includes('@') || isScientificNotation(c);
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

export function parseImportCsv(text: string, ctx: { nowMs: number; headroomMs: number; userAgent?: string }): ImportParse {
  const parsed = parseCsv(text);
  if ('error' in parsed) return { ok: false, bad: [{ line: parsed.line, reason: parsed.error }] };
  let rows = parsed.rows;
  if (rows.length === 0) return { ok: false, bad: [{ line: 1, reason: 'the file holds no records' }] };

  const first = rows[0]!;
  const header = readHeader(first.fields);
  if (header && 'error' in header) return { ok: false, bad: [{ line: first.line, reason: header.error }] };
  if (!header && !mayBeRecipient(first.fields[0]!)) {
    return {
      ok: false,
      bad: [{
        line: first.line,
        reason: `neither a header nor a record: no cell names a column and "${first.fields[0]!.trim()}" is not a phone number or an e-mail address. ` +
          `Name the columns in a first row, e.g. Telefon;Kanal;Durum;Kaynak;Tarih, or put them in the order ${IMPORT_COLUMNS.join(', ')}`,
      }],
    };
  }
  const columns: readonly (ImportColumn | undefined)[] = header ? header.columns : IMPORT_COLUMNS;
  if (header) rows = rows.slice(1);
  if (rows.length === 0) return { ok: false, bad: [{ line: 1, reason: 'the file holds a header and no records' }] };

  const bad: BadLine[] = [];
  const raws: Record<string, string>[] = [];
  const lines: number[] = [];
  for (const row of rows) {
    if (row.fields.length > columns.length) {
      bad.push({ line: row.line, reason: `${row.fields.length} fields, expected at most ${columns.length} (${header ? 'as many as the header names' : IMPORT_COLUMNS.join(', ')}); is the separator "${parsed.delimiter}"?` });
      continue;
    }
    // Empty cells are left out, so status and recipientType take their defaults (ONAY, BIREYSEL).
    const raw: Record<string, string> = {};
    row.fields.forEach((value, i) => {
      const column = columns[i];
      if (column && value.trim() !== '') raw[column] = valueOf(column, value.trim());
    });
    if (raw.recipient !== undefined && isScientificNotation(raw.recipient)) {
      bad.push({ line: row.line, reason: `recipient: Excel turned this number into scientific notation (${raw.recipient}): format the column as text and export again` });
      continue;
    }
    if (raw.consentDate !== undefined) raw.consentDate = fromExcelDate(raw.consentDate);
    raws.push(raw);
    lines.push(row.line);
  }

  const verdict = validateBatch(raws, { nowMs: ctx.nowMs, headroomMs: ctx.headroomMs, userAgent: ctx.userAgent ?? 'iys-consent import' });
  if (!verdict.ok) {
    for (const b of verdict.bad) bad.push({ line: lines[b.index]!, reason: b.issues.map((i) => `${i.path}: ${i.message}`).join('; ') });
  }
  if (bad.length > 0 || !verdict.ok) return { ok: false, bad: bad.sort((a, b) => a.line - b.line) };
  return { ok: true, records: verdict.records, lines, delimiter: parsed.delimiter, header: header !== undefined, ignored: header?.ignored ?? [] };
}
