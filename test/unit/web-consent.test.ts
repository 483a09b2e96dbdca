import { describe, expect, it } from 'vitest';
import { acceptableClientTime, ingestConsent, judgeConsentDate, parseConsentText, type IngestResult, type RequestMeta } from '../../server/intake/web-consent.ts';
import { intakeHeadroomMs } from '../../shared/sendability.ts';
import { formatTurkeyTime, parseTurkeyTime } from '../../shared/turkey-time.ts';

// 2026-11-26 16:05:09.400 Turkey time.
const NOW = parseTurkeyTime('2026-11-26 16:05:09')! + 400;
const META: RequestMeta = { receivedAt: NOW, origin: 'https://shop.example', ip: '203.0.113.9', userAgent: 'Mozilla/5.0 test' };
const OPTS = { clockToleranceS: 600, headroomMs: intakeHeadroomMs(1000) };

const valid = (over: Record<string, unknown> = {}) => ({
  recipient: '0532 123 45 67',
  channels: ['MESAJ', 'ARAMA'],
  consentDate: '2026-11-26 16:05:00',
  ...over,
});

function records(result: IngestResult) {
  if (result.kind !== 'records') throw new Error(`expected records, got ${JSON.stringify(result)}`);
  return result.records;
}
function issues(result: IngestResult) {
  if (result.kind !== 'invalid') throw new Error(`expected invalid, got ${JSON.stringify(result)}`);
  return result.issues;
}
const at = (seconds: number) => formatTurkeyTime(NOW + seconds * 1000);

describe('ingestConsent: records', () => {
  it('makes one HS_WEB record per channel, recipient normalised, defaults applied', () => {
    const rs = records(ingestConsent(valid(), META, OPTS));
    expect(rs.map((r) => r.record)).toEqual([
      { recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'MESAJ', status: 'ONAY', source: 'HS_WEB', consentDate: '2026-11-26 16:05:00' },
      { recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'ARAMA', status: 'ONAY', source: 'HS_WEB', consentDate: '2026-11-26 16:05:00' },
    ]);
  });

  it('keeps explicit recipientType and status', () => {
    const rs = records(ingestConsent(valid({ recipientType: 'TACIR', status: 'RET', channels: ['ARAMA'] }), META, OPTS));
    expect(rs[0]!.record).toMatchObject({ recipientType: 'TACIR', status: 'RET', type: 'ARAMA' });
  });

  it('lower-cases an e-mail recipient for EPOSTA', () => {
    const rs = records(ingestConsent(valid({ recipient: ' Ayse@Example.COM ', channels: ['EPOSTA'] }), META, OPTS));
    expect(rs[0]!.record.recipient).toBe('ayse@example.com');
    expect(rs[0]!.evidence.rawRecipient).toBe(' Ayse@Example.COM ');
  });

  it('keeps all the evidence', () => {
    const body = valid({
      notice: { version: '2026-11-01', hash: `sha256:${'ab'.repeat(32)}`, lang: 'tr' },
      pageUrl: 'https://shop.example/kayit',
      idempotencyKey: 'key-12345678',
      widgetVersion: '1.2.3',
    });
    const result = ingestConsent(body, META, OPTS);
    expect(result).toMatchObject({ kind: 'records', idempotencyKey: 'key-12345678', replacedConsentDate: false });
    expect(records(result)[1]!.evidence).toEqual({
      rawRecipient: '0532 123 45 67',
      clientConsentDate: '2026-11-26 16:05:00',
      receivedAt: NOW,
      channels: 'MESAJ ARAMA',
      noticeVersion: '2026-11-01',
      noticeHash: `sha256:${'ab'.repeat(32)}`,
      noticeLang: 'tr',
      pageUrl: 'https://shop.example/kayit',
      origin: 'https://shop.example',
      ip: '203.0.113.9',
      userAgent: 'Mozilla/5.0 test',
      widgetVersion: '1.2.3',
      idempotencyKey: 'key-12345678',
      // Judged after parsing, by the notice registry and the form token gate.
      noticeMatch: null,
      noticeRegistered: null,
      formTokenAgeMs: null,
    });
  });

  it('leaves absent evidence null and clips header values', () => {
    const meta = { ...META, origin: null, userAgent: 'x'.repeat(5000) };
    const ev = records(ingestConsent(valid(), meta, OPTS))[0]!.evidence;
    expect(ev).toMatchObject({ noticeVersion: null, noticeHash: null, pageUrl: null, origin: null, widgetVersion: null, idempotencyKey: null });
    expect(ev.userAgent).toHaveLength(512);
  });
});

describe('ingestConsent: the clock tolerance', () => {
  it.each([
    ['now (same second)', 0, false],
    ['9 s ago', -9, false],
    ['exactly the tolerance ago', -600, false],
    ['601 s ago', -601, true],
    ['a day ago', -86_400, true],
    ['a second in the future', 1, true],
    ['5 minutes in the future', 300, true],
    ['a year in the future', 365 * 86_400, true],
  ])('%s → replaced: %s', (_label, offsetS, replaced) => {
    // Whole seconds from the receive time's own second, as a client stamp would be.
    const clientDate = formatTurkeyTime(parseTurkeyTime(formatTurkeyTime(NOW))! + offsetS * 1000);
    const result = ingestConsent(valid({ consentDate: clientDate }), META, OPTS);
    expect(result).toMatchObject({ kind: 'records', replacedConsentDate: replaced });
    const r = records(result)[0]!;
    expect(r.record.consentDate).toBe(replaced ? '2026-11-26 16:05:09' : clientDate);
    expect(r.evidence.clientConsentDate).toBe(clientDate);
  });

  it('replaces a date before İYS existed (2015) instead of refusing it', () => {
    const r = records(ingestConsent(valid({ consentDate: '2010-01-01 00:00:00' }), META, OPTS))[0]!;
    expect(r.record.consentDate).toBe('2026-11-26 16:05:09');
    expect(r.evidence.clientConsentDate).toBe('2010-01-01 00:00:00');
  });

  it('uses the configured tolerance', () => {
    expect(records(ingestConsent(valid({ consentDate: at(-30) }), META, { ...OPTS, clockToleranceS: 10 }))[0]!.record.consentDate).toBe(at(0));
    expect(records(ingestConsent(valid({ consentDate: at(-30) }), META, { ...OPTS, clockToleranceS: 60 }))[0]!.record.consentDate).toBe(at(-30));
  });

  it('acceptableClientTime refuses a malformed date', () => {
    expect(acceptableClientTime('2026-02-30 10:00:00', NOW, 600)).toBe(false);
  });
});

describe('ingestConsent: sentAt, the client clock at this send', () => {
  // Whole seconds back from the receive time's own second, as a client stamp would be.
  const ago = (seconds: number) => formatTurkeyTime(parseTurkeyTime(at(0))! - seconds * 1000);
  const H = 3600;

  it.each([
    // [label, consentDate, sentAt, recorded consentDate, rule]
    ['resent 20 min later, right clock: the stamp is kept', ago(20 * 60), ago(0), ago(20 * 60), 'client'],
    ['resent 2 days later, right clock: kept (inside the 72 hours)', ago(48 * H), ago(1), ago(48 * H), 'client'],
    ['clock 3 h behind (the UTC bug), sent at once: shifted by the skew', ago(3 * H + 5), ago(3 * H), ago(5), 'corrected'],
    ['clock 3 h behind, resent 20 min later: shifted by the skew', ago(3 * H + 20 * 60), ago(3 * H), ago(20 * 60), 'corrected'],
    ['clock 2 h ahead, resent 20 min later: shifted back by the skew', ago(-2 * H + 20 * 60), ago(-2 * H), ago(20 * 60), 'corrected'],
    ['clock 30 s ahead, sent at once: the stamp would be in the future, so shifted', ago(-30), ago(-30), ago(0), 'corrected'],
    ['clock 5 min behind, sent at once: within the tolerance, kept', ago(5 * 60 + 2), ago(5 * 60), ago(5 * 60 + 2), 'client'],
    ['sentAt a year in the future: the shifted stamp is past the deadline', ago(60), ago(-365 * 24 * H), at(0), 'received'],
    ['sentAt in the future and a consentDate later still: the receive time', ago(-2 * H), ago(-H), at(0), 'received'],
    ['consentDate after sentAt: the receive time', ago(0), ago(60), at(0), 'received'],
    ['consentDate older than 72 h before sentAt: the receive time', ago(73 * H), ago(0), at(0), 'received'],
    ['clock 3 h ahead, consentDate 73 h before sentAt: looks 70 h old but is 73 h, the receive time', ago(70 * H), ago(-3 * H), at(0), 'received'],
    ['clock 3 h behind, consentDate 71 h before sentAt: looks 74 h old but is 71 h, shifted', ago(74 * H), ago(3 * H), ago(71 * H), 'corrected'],
    // The one sendability rule: a date the dispatcher could not send in time (within 5 min + 2 min 1 s of its deadline) is replaced.
    ['resent 71 h 55 min later, right clock: too close to its deadline, the receive time', ago(71 * H + 55 * 60), ago(0), at(0), 'received'],
    ['resent 71 h 52 min 58 s later, right clock: 1 s more than the headroom left, kept', ago(71 * H + 52 * 60 + 58), ago(0), ago(71 * H + 52 * 60 + 58), 'client'],
    ['clock 3 h behind, shifted to 71 h 58 min ago: too close, the receive time', ago(74 * H + 58 * 60), ago(3 * H), at(0), 'received'],
  ])('%s', (_label, consentDate, sentAt, recorded, rule) => {
    const result = ingestConsent(valid({ consentDate, sentAt }), META, OPTS);
    expect(result).toMatchObject({ kind: 'records', replacedConsentDate: rule === 'received', correctedConsentDate: rule === 'corrected' });
    for (const r of records(result)) {
      expect(r.record.consentDate).toBe(recorded);
      expect(r.evidence.clientConsentDate).toBe(consentDate);
    }
  });

  it('the skew is measured to the millisecond and the result rounded down: never after the receive time', () => {
    // Received at .400 of the second after sentAt: 1.4 s of delay, the stamp moves 1 s.
    const sent = ago(1);
    expect(judgeConsentDate(ago(3 * H + 1), ago(3 * H + 1), NOW, OPTS)).toEqual({ consentDate: at(0), rule: 'corrected' });
    expect(judgeConsentDate(ago(601 + 3 * H), formatTurkeyTime(parseTurkeyTime(sent)! - 3 * H * 1000), NOW, OPTS)).toEqual({ consentDate: ago(600), rule: 'corrected' });
  });

  it('without sentAt the old rule stands: a resend 20 min later gets the receive time', () => {
    const result = ingestConsent(valid({ consentDate: ago(20 * 60) }), META, OPTS);
    expect(result).toMatchObject({ kind: 'records', replacedConsentDate: true, correctedConsentDate: false });
    expect(records(result)[0]!.record.consentDate).toBe(at(0));
  });

  it.each([
    ['ISO', '2026-11-26T13:05:00Z'],
    ['impossible', '2026-02-30 10:00:00'],
    ['a number', 1764162309],
    ['empty', ''],
  ])('a malformed sentAt (%s) is a 422 on sentAt', (_label, sentAt) => {
    const found = issues(ingestConsent(valid({ sentAt }), META, OPTS));
    expect(new Set(found.map((i) => i.path))).toEqual(new Set(['sentAt']));
  });
});

describe('ingestConsent: bad input names the field', () => {
  it.each([
    ['no recipient', { recipient: undefined }, 'recipient'],
    ['blank recipient', { recipient: '   ' }, 'recipient'],
    ['recipient a number', { recipient: 5321234567 }, 'recipient'],
    ['unknown phone range', { recipient: '0632 123 45 67' }, 'recipient'],
    ['unallocated mobile range', { recipient: '0592 123 45 67' }, 'recipient'],
    ['foreign number', { recipient: '+44 20 7946 0958' }, 'recipient'],
    ['bad e-mail', { recipient: 'ayşe@example.com', channels: ['EPOSTA'] }, 'recipient'],
    ['no channels', { channels: [] }, 'channels'],
    ['unknown channel', { channels: ['MESAJ', 'FAX'] }, 'channels.1'],
    ['channel twice', { channels: ['MESAJ', 'MESAJ'] }, 'channels'],
    ['EPOSTA for a phone', { channels: ['MESAJ', 'EPOSTA'] }, 'channels.1'],
    ['MESAJ for an e-mail', { recipient: 'a@example.com', channels: ['EPOSTA', 'MESAJ'] }, 'channels.1'],
    ['ARAMA for an e-mail', { recipient: 'a@example.com', channels: ['ARAMA'] }, 'channels.0'],
    ['MESAJ for a landline', { recipient: '0212 555 12 34', channels: ['MESAJ'] }, 'recipient'],
    ['MESAJ for an 0850 number', { recipient: '0850 222 33 44', channels: ['ARAMA', 'MESAJ'] }, 'recipient'],
    ['no consentDate', { consentDate: undefined }, 'consentDate'],
    ['ISO consentDate', { consentDate: '2026-11-26T13:05:00.000Z' }, 'consentDate'],
    ['impossible consentDate', { consentDate: '2026-02-30 10:00:00' }, 'consentDate'],
    ['bad status', { status: 'YES' }, 'status'],
    ['bad recipientType', { recipientType: 'KURUMSAL' }, 'recipientType'],
    ['bad notice hash', { notice: { version: '1', hash: 'md5:abc' } }, 'notice.hash'],
    ['notice without version', { notice: {} }, 'notice.version'],
    ['javascript: pageUrl', { pageUrl: 'javascript:alert(1)' }, 'pageUrl'],
    ['short idempotencyKey', { idempotencyKey: 'abc' }, 'idempotencyKey'],
    ['idempotencyKey with spaces', { idempotencyKey: 'a b c d e f g h' }, 'idempotencyKey'],
    ['source sent by the client', { source: 'HS_KARAR' }, 'source'],
    ['unknown field', { extra: 1 }, 'extra'],
  ])('%s → %s', (_label, over, path) => {
    const body = valid(over as Record<string, unknown>);
    for (const [k, v] of Object.entries(body)) if (v === undefined) delete (body as Record<string, unknown>)[k];
    const found = issues(ingestConsent(body, META, OPTS));
    expect(found.map((i) => i.path)).toContain(path);
    for (const i of found) expect(i.message.length).toBeGreaterThan(0);
  });

  it.each([null, [], 'text', 42, true])('a non-object body %j is a (body) issue', (json) => {
    expect(issues(ingestConsent(json, META, OPTS))[0]!.path).toBe('(body)');
  });

  it('parseConsentText: unparseable JSON is not a schema issue', () => {
    expect(parseConsentText('{"recipient": ', META, OPTS).kind).toBe('unparseable');
    expect(parseConsentText('', META, OPTS).kind).toBe('unparseable');
    expect(parseConsentText(JSON.stringify(valid()), META, OPTS).kind).toBe('records');
  });
});

describe('ingestConsent: the honeypot', () => {
  it('a filled website field makes no records', () => {
    expect(ingestConsent(valid({ website: 'http://spam.example' }), META, OPTS)).toEqual({ kind: 'honeypot', channels: 2 });
  });

  it('an empty or blank website field is a person', () => {
    expect(ingestConsent(valid({ website: '' }), META, OPTS).kind).toBe('records');
    expect(ingestConsent(valid({ website: '  ' }), META, OPTS).kind).toBe('records');
  });

  it('a filled honeypot on an invalid body still gets the 422 a person would', () => {
    expect(ingestConsent(valid({ website: 'x', channels: [] }), META, OPTS).kind).toBe('invalid');
  });
});
