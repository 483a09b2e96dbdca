import { describe, expect, it } from 'vitest';
import { detectDelimiter, parseCsv } from '../../server/cli/csv.ts';
import { csvCell, csvHeader, csvLine, parseExportBound, toReceipt, RECEIPT_FIELDS } from '../../server/admin/export-format.ts';
import { UNCHECKED, type StoredRecordWithEvidence } from '../../server/stores/store.ts';
import { seededRandom } from '../../server/sandbox/seeded-random.ts';
import { neutraliseFormulas } from '../../shared/spreadsheet-safe.ts';
import { formulaPieces } from '../helpers/spreadsheet-pieces.ts';

const rows = (text: string) => {
  const p = parseCsv(text);
  if ('error' in p) throw new Error(p.error);
  return p.rows;
};

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes and separators inside quotes', () => {
    expect(rows('a,"b,c","say ""hi"""\n')).toEqual([{ line: 1, fields: ['a', 'b,c', 'say "hi"'] }]);
  });

  it('keeps a line break inside quotes and numbers rows by the line they start on', () => {
    expect(rows('x,"two\nlines"\ny,z\n')).toEqual([
      { line: 1, fields: ['x', 'two\nlines'] },
      { line: 3, fields: ['y', 'z'] },
    ]);
  });

  it('takes CRLF, a BOM, blank lines and a missing final newline', () => {
    expect(rows('\uFEFFa;b\r\n\r\nc;d')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['c', 'd'] },
    ]);
  });

  it('detects ; as Excel writes it in Turkey, and , otherwise', () => {
    expect(detectDelimiter('a;b;"c,d"\n')).toBe(';');
    expect(detectDelimiter('a,b,"c;d;e"\n')).toBe(',');
    expect(parseCsv('0532 123 45 67;MESAJ;ONAY\n')).toMatchObject({ delimiter: ';', rows: [{ fields: ['0532 123 45 67', 'MESAJ', 'ONAY'] }] });
  });

  it('reports a quote left open with the line it opened on', () => {
    expect(parseCsv('a,b\nc,"open\nstill\n')).toEqual({ error: 'a quoted field is not closed', line: 2 });
  });
});

describe('csvCell', () => {
  it('quotes separators, quotes and line breaks', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('say "x"')).toBe('"say ""x"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(3)).toBe('3');
  });

  it('defuses formula-looking text with a leading apostrophe', () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell('+905321234567')).toBe("'+905321234567");
    expect(csvCell('-1+1')).toBe("'-1+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
  });

  it('round-trips through the import parser', () => {
    const nasty = ['a,b', 'q"q', 'line\nbreak', '  pad  ', 'x;y'];
    const parsed = parseCsv(`${nasty.map(csvCell).join(',')}\r\n`, ',');
    expect(parsed).toMatchObject({ rows: [{ fields: nasty }] });
  });
});

describe('consent receipt', () => {
  const record: StoredRecordWithEvidence = {
    id: 'r1', recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'MESAJ', status: 'RET', source: 'HS_WEB',
    consentDate: '2026-11-26 16:05:09', state: 'rejected', deadlineAt: Date.UTC(2026, 10, 29, 13, 5, 9), receivedAt: Date.UTC(2026, 10, 26, 13, 5, 10),
    attempts: 2, reason: 'RET after RET', registeredAt: null, doubt: null, requeueOf: null, ...UNCHECKED,
    evidence: {
      rawRecipient: '0532 123 45 67', clientConsentDate: '2026-11-26 16:05:09', receivedAt: Date.UTC(2026, 10, 26, 13, 5, 10), channels: 'MESAJ ARAMA',
      noticeVersion: '2026-11-01', noticeHash: null, noticeLang: 'tr', pageUrl: 'https://shop.example/kayit?a=1,2', origin: 'https://shop.example',
      ip: '203.0.113.9', userAgent: 'Mozilla/5.0 "quoted"', widgetVersion: '0.1.0', idempotencyKey: null, noticeMatch: 'unmatched', noticeRegistered: null, formTokenAgeMs: 2500,
    },
  };

  it('names fields after the consent receipt terms and converts Turkey time to an instant', () => {
    const r = toReceipt(record);
    expect(r).toMatchObject({
      consentReceiptId: 'r1', jurisdiction: 'TR', piiPrincipalId: '+905321234567', collectionMethod: 'HS_WEB', channel: 'MESAJ',
      consentEvent: 'withdrawn', consentTimestamp: '2026-11-26T13:05:09.000Z', consentDate: '2026-11-26 16:05:09', state: 'rejected',
      stateReason: 'RET after RET', registeredAt: null, noticeVersion: '2026-11-01', ipAddress: '203.0.113.9',
    });
    expect(Object.keys(r)).toEqual(RECEIPT_FIELDS);
  });

  it('writes a CSV line with as many cells as the header, parseable back', () => {
    const parsed = parseCsv(csvHeader() + csvLine(toReceipt(record)), ',');
    if ('error' in parsed) throw new Error(parsed.error);
    const [header, line] = parsed.rows;
    expect(header!.fields).toEqual(RECEIPT_FIELDS);
    const cells = Object.fromEntries(header!.fields.map((f, i) => [f, line!.fields[i]]));
    expect(cells).toMatchObject({ piiPrincipalId: "'+905321234567", userAgent: 'Mozilla/5.0 "quoted"', pageUrl: 'https://shop.example/kayit?a=1,2', registeredAt: '' });
  });
});

describe('CSV export against formula injection, split by , or by ;', () => {
  const record = {
    id: 'r1', recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'MESAJ', status: 'ONAY', source: 'HS_WEB',
    consentDate: '2026-11-26 16:05:09', state: 'pending', deadlineAt: Date.UTC(2026, 10, 29, 13, 5, 9), receivedAt: Date.UTC(2026, 10, 26, 13, 5, 10),
    attempts: 0, reason: null, registeredAt: null, doubt: null, requeueOf: null, ...UNCHECKED,
  } as const;
  const lineWith = (text: string) =>
    csvLine(toReceipt({
      ...record,
      recipient: text,
      evidence: {
        rawRecipient: text, clientConsentDate: text, receivedAt: record.receivedAt, channels: text, noticeVersion: text, noticeHash: text,
        noticeLang: text, pageUrl: text, origin: text, ip: text, userAgent: text, widgetVersion: text, idempotencyKey: text, noticeMatch: null, noticeRegistered: text, formTokenAgeMs: null,
      },
    }));
  const unsafePieces = (line: string) => formulaPieces(line.replace(/\r\n$/, ''));

  it.each([
    ['a User-Agent', 'Mozilla/5.0 (X11;=1+1;) x'],
    ['an e-mail recipient', 'a;=1+1;b@ex.com'],
    ['a notice version', "v1;=cmd|' /C calc'!A0;"],
    ['a line break', 'v1\n=1+1'],
    ['quotes and spaces', 'x, "@SUM(A1)"'],
  ])('%s: %s', (_what, text) => {
    expect(unsafePieces(lineWith(text))).toEqual([]);
    // The named cell is still readable: the text with an apostrophe where a formula would start.
    expect(neutraliseFormulas(text)).toMatch(/'/);
  });

  it('no piece of 5000 seeded random lines starts a formula, however the line is split', () => {
    const alphabet = ['=', '+', '-', '@', '\t', '\r', '\n', '\r\n', ',', ';', '"', ' ', "'", 'a', '1', '(', ')', '|', '!', 'ğ'];
    const random = seededRandom(13);
    const found: string[] = [];
    for (let n = 0; n < 5000; n++) {
      const length = Math.floor(random() * 12);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      found.push(...unsafePieces(lineWith(text)).map((p) => `${JSON.stringify(text)} → ${p}`));
    }
    expect(found.slice(0, 10)).toEqual([]);
  });

  it('leaves harmless text as it was', () => {
    for (const text of ['Mozilla/5.0 (X11; Linux x86_64)', 'a,b;c', 'https://shop.example/kayit?a=1&b=2', '2026-11-01', 'ali@example.com']) {
      expect(neutraliseFormulas(text)).toBe(text);
    }
  });
});

describe('parseExportBound', () => {
  it('reads ISO instants with a zone, dates and Turkey time', () => {
    expect(parseExportBound('2026-11-26T13:05:09Z')).toBe(Date.UTC(2026, 10, 26, 13, 5, 9));
    expect(parseExportBound('2026-11-26T16:05:09+03:00')).toBe(Date.UTC(2026, 10, 26, 13, 5, 9));
    expect(parseExportBound('2026-11-26 16:05:09')).toBe(Date.UTC(2026, 10, 26, 13, 5, 9));
    expect(parseExportBound('2026-11-26')).toBe(Date.UTC(2026, 10, 25, 21, 0, 0));
  });

  it('refuses text that depends on the server zone or is no date', () => {
    expect(parseExportBound('2026-11-26T13:05:09')).toBeUndefined();
    expect(parseExportBound('yesterday')).toBeUndefined();
    expect(parseExportBound('2026-02-30')).toBeUndefined();
  });
});
