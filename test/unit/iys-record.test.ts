import { describe, expect, it } from 'vitest';
import { iysRecordSchema, iysRecordSchemaAt, keyOf, type IysRecord } from '../../shared/iys-record.ts';
import { toFieldIssues } from '../../shared/issues.ts';

const NOW = Date.parse('2026-11-26T13:05:09Z'); // 2026-11-26 16:05:09 in Turkey
const base: IysRecord = {
  recipient: '+905321234567',
  recipientType: 'BIREYSEL',
  type: 'MESAJ',
  status: 'ONAY',
  source: 'HS_WEB',
  consentDate: '2026-11-26 16:00:00',
};

type Case = [string, Partial<Record<keyof IysRecord, unknown>>, string | null, RegExp | null];

// [name, changes to a valid record, the path of the expected issue (null: valid), its message]
const CASES: Case[] = [
  ['a valid SMS consent', {}, null, null],
  ['a call to a landline', { type: 'ARAMA', recipient: '+902125551234' }, null, null],
  ['a call to a mobile', { type: 'ARAMA' }, null, null],
  ['an e-mail consent', { type: 'EPOSTA', recipient: 'ayse@example.com' }, null, null],
  ['a business recipient', { recipientType: 'TACIR' }, null, null],
  ['a refusal', { status: 'RET' }, null, null],
  ['a court ruling refusal', { status: 'RET', source: 'HS_KARAR' }, null, null],
  ['each HS source: call centre', { source: 'HS_CAGRI_MERKEZI' }, null, null],
  ['each HS source: wet signature', { source: 'HS_ISLAK_IMZA' }, null, null],
  ['each HS source: ATM', { source: 'HS_ATM' }, null, null],
  ['each HS source: mobile app', { source: 'HS_MOBIL' }, null, null],
  ['exactly 72 hours old', { consentDate: '2026-11-23 16:05:09' }, null, null],
  ['right now', { consentDate: '2026-11-26 16:05:09' }, null, null],
  ['SMS to a landline', { recipient: '+902125551234' }, 'recipient', /MESAJ needs a mobile/],
  ['SMS to an e-mail', { recipient: 'ayse@example.com' }, 'type', /MESAJ needs a phone/],
  ['a call to an e-mail', { type: 'ARAMA', recipient: 'ayse@example.com' }, 'type', /ARAMA needs a phone/],
  ['e-mail channel to a phone', { type: 'EPOSTA' }, 'type', /EPOSTA needs an e-mail/],
  ['an un-normalised phone', { recipient: '0532 123 45 67' }, 'recipient', /normalised phone/],
  ['a phone without +', { recipient: '905321234567' }, 'recipient', /normalised phone/],
  ['a foreign phone', { recipient: '+12125551234' }, 'recipient', /normalised phone/],
  ['an upper-case e-mail', { type: 'EPOSTA', recipient: 'Ayse@example.com' }, 'recipient', /lower-case e-mail/],
  ['a non-ASCII e-mail', { type: 'EPOSTA', recipient: 'ayşe@example.com' }, 'recipient', /lower-case e-mail/],
  ['an empty recipient', { recipient: '' }, 'recipient', /at least 1|too small|>=1/i],
  ['type in lower case', { type: 'mesaj' }, 'type', /MESAJ/],
  ['an unknown type', { type: 'WHATSAPP' }, 'type', /MESAJ/],
  ['status in lower case', { status: 'onay' }, 'status', /ONAY/],
  ['an unknown recipientType', { recipientType: 'KURUMSAL' }, 'recipientType', /BIREYSEL/],
  ['source web instead of HS_WEB', { source: 'web' }, 'source', /HS_WEB/],
  ['an invented source', { source: 'HS_FORM' }, 'source', /HS_WEB/],
  ['a citizen-side source', { source: 'IYS_WEB' }, 'source', /HS_WEB/],
  ['HS_KARAR carrying ONAY', { source: 'HS_KARAR' }, 'source', /HS_KARAR may only carry RET/],
  ['HS_2015 with another date', { source: 'HS_2015', consentDate: '2026-11-26 16:00:00' }, 'consentDate', /HS_2015 records carry/],
  ['an ISO date', { consentDate: '2026-11-26T16:00:00' }, 'consentDate', /YYYY-MM-DD HH:MM:SS/],
  ['a UTC ISO string', { consentDate: '2026-11-26T13:00:00.000Z' }, 'consentDate', /YYYY-MM-DD HH:MM:SS/],
  ['February 30th', { consentDate: '2026-02-30 10:00:00' }, 'consentDate', /not a real calendar/],
  ['a missing field', { source: undefined }, 'source', /.+/],
  ['a number as recipient', { recipient: 5321234567 }, 'recipient', /string/],
];

const TIMED: Case[] = [
  ['one second in the future', { consentDate: '2026-11-26 16:05:10' }, 'consentDate', /in the future/],
  ['72 hours and a second old', { consentDate: '2026-11-23 16:05:08' }, 'consentDate', /past the İYS deadline/],
  ['a week old', { consentDate: '2026-11-19 16:05:09' }, 'consentDate', /72 hours/],
  ['before İYS existed', { consentDate: '2015-04-30 23:59:59' }, 'consentDate', /before 2015-05-01/],
  // Well-formed, but iletiMerkezi refuses a consentDate more than 3 days old, HS_2015's fixed one too.
  ['HS_2015 with its fixed date', { source: 'HS_2015', consentDate: '2015-05-01 00:00:00' }, 'consentDate', /past the İYS deadline/],
];

function issuesOf(schema: typeof iysRecordSchema, changes: Case[1]) {
  const r = schema.safeParse({ ...base, ...changes });
  return r.success ? [] : toFieldIssues(r.error);
}

describe('İYS record schema', () => {
  it.each(CASES)('%s', (_name, changes, path, message) => {
    for (const schema of [iysRecordSchema, iysRecordSchemaAt(NOW)]) {
      const issues = issuesOf(schema, changes);
      if (path === null) expect(issues).toEqual([]);
      else expect(issues).toContainEqual({ path, message: expect.stringMatching(message!) });
    }
  });

  it.each(TIMED)('at a given now: %s', (_name, changes, path, message) => {
    expect(issuesOf(iysRecordSchema, changes)).toEqual([]); // no clock, no time rule
    expect(issuesOf(iysRecordSchemaAt(NOW), changes)).toContainEqual({ path, message: expect.stringMatching(message!) });
  });

  it('the registry key is brand + recipient + recipientType + type, not status', () => {
    expect(keyOf(base, 1234)).toBe('1234|+905321234567|BIREYSEL|MESAJ');
    expect(keyOf({ ...base, status: 'RET' } as IysRecord, 1234)).toBe(keyOf(base, 1234));
    expect(keyOf({ ...base, type: 'ARAMA' }, 1234)).not.toBe(keyOf(base, 1234));
    expect(keyOf({ ...base, recipientType: 'TACIR' })).not.toBe(keyOf(base));
  });
});
