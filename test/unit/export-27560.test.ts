import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECEIPT_FIELDS } from '../../server/admin/export-format.ts';

// docs/operating.md maps the export to ISO/IEC TS 27560 field by field: a new column must say where it goes.
const doc = readFileSync(resolve(import.meta.dirname, '../../docs/operating.md'), 'utf8');
const section = doc.slice(doc.indexOf('### The export in ISO/IEC TS 27560 terms'), doc.indexOf('CSV: a header row'));

describe('the export in ISO/IEC TS 27560 terms (docs/operating.md)', () => {
  it('maps every export field, once, in the order of the column list', () => {
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    const named = rows.flatMap((r) => [...r.split(' | ')[0]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!));
    expect(named).toEqual(RECEIPT_FIELDS);
    // Every row says which element of the TS the fields are.
    expect(rows.every((r) => r.split(' | ')[1]!.trim().length > 0)).toBe(true);
  });

  it('covers the terms the issue asks for: notice, method, verification, timestamps, jurisdiction', () => {
    for (const term of ['notice', 'method', 'verification', 'event time', 'jurisdiction']) expect(section).toContain(term);
  });
});
