import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalSha256 } from '../../server/admin/canonical-json.ts';
import { maskAsTyped } from '../../server/admin/mask-typed.ts';
import { judgeRequeue } from '../../server/admin/requeue-rule.ts';
import { reportData } from '../../server/admin/audit-report.ts';
import { PASS_HEADROOM_MS, SEND_MARGIN_MS } from '../../shared/sendability.ts';
import { UNCHECKED, type StoredRecordWithEvidence } from '../../server/stores/store.ts';
import { DEADLINE_MS, formatTurkeyTime } from '../../shared/turkey-time.ts';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units at every depth, writes no whitespace, keeps arrays in order', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: null }], a: 'x', '\u00e9': 1, '\ud83d\ude00': 2, '\ufb33': 3 }))
      .toBe('{"a":"x","b":[3,{"a":null,"z":1}],"\u00e9":1,"\ud83d\ude00":2,"\ufb33":3}');
    expect(canonicalJson({ s: 'İYS "rıza"\n\u2028', n: -0, f: 1e21, t: true })).toBe('{"f":1e+21,"n":0,"s":"İYS \\"rıza\\"\\n\u2028","t":true}');
  });

  it('refuses what JSON cannot hold, and hashes the UTF-8 bytes', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/finite/);
    expect(() => canonicalJson([undefined])).toThrow(/undefined/);
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    // printf '{"a":"ı"}' | sha256sum
    expect(canonicalSha256({ a: 'ı' })).toBe('7efd7038db1f806899506eb59572e69d0079b28127cc6c1c20bee1ff165c6532');
  });
});

describe('maskAsTyped', () => {
  it.each([
    ['0532 123 45 67', '0532 *** ** 67'],
    ['+90 (532) 123-45-67', '+90 (53*) ***-**-67'],
    ['05321234567', '0532*****67'],
    ['Ayse@Example.com', 'A***@Example.com'],
  ])('%s → %s', (raw, masked) => expect(maskAsTyped(raw)).toBe(masked));
});

const NOW = 1_800_000_000_000;
let n = 0;
function stored(over: Partial<StoredRecordWithEvidence> & { agoMs?: number } = {}): StoredRecordWithEvidence {
  const consentMs = NOW - (over.agoMs ?? 3600_000);
  return {
    id: `r${++n}`, recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'MESAJ', status: 'ONAY', source: 'HS_WEB',
    consentDate: formatTurkeyTime(consentMs), state: 'rejected', deadlineAt: consentMs + DEADLINE_MS, receivedAt: consentMs, attempts: 1,
    reason: 'refused', registeredAt: null, doubt: null, requeueOf: null, ...UNCHECKED,
    evidence: {
      rawRecipient: '0532 123 45 67', clientConsentDate: null, receivedAt: consentMs, channels: 'MESAJ', noticeVersion: 'v1', noticeHash: null,
      noticeLang: 'tr', pageUrl: null, origin: null, ip: '203.0.113.7', userAgent: 'UA', widgetVersion: null, idempotencyKey: null, noticeMatch: null, noticeRegistered: null, formTokenAgeMs: null,
    },
    ...over,
  };
}
const judge = (records: StoredRecordWithEvidence[], id = records[0]!.id, latest?: Parameters<typeof judgeRequeue>[0]['latest']) =>
  judgeRequeue({ id, records, latest, now: NOW, flushMs: 1000 });

describe('judgeRequeue', () => {
  it('makes a new pending record with the same fields and evidence, received now, naming the old one', () => {
    const old = stored({ state: 'expired' });
    const v = judge([old]);
    expect(v).toMatchObject({ ok: true, record: { requeueOf: old.id, record: { consentDate: old.consentDate, status: 'ONAY' }, evidence: { ...old.evidence, receivedAt: NOW } } });
  });

  it('refuses a record that is not rejected or expired, or already re-queued', () => {
    expect(judge([stored({ state: 'registered' })])).toMatchObject({ ok: false, status: 409, reason: /registered/ });
    const old = stored();
    expect(judge([old, stored({ requeueOf: old.id, state: 'pending' })], old.id)).toMatchObject({ ok: false, status: 409, reason: /already re-queued/ });
    expect(judge([old], 'nope')).toMatchObject({ ok: false, status: 404 });
  });

  it('refuses one the dispatcher could not send before the deadline, from the original consentDate', () => {
    const edge = DEADLINE_MS - SEND_MARGIN_MS - 1000 - PASS_HEADROOM_MS;
    expect(judge([stored({ agoMs: edge - 1 })]).ok).toBe(true);
    expect(judge([stored({ agoMs: edge + 1 })])).toMatchObject({ ok: false, status: 422, reason: /72 hours/ });
  });

  it('refuses one İYS would refuse after what the ledger holds for its key', () => {
    const old = stored({ agoMs: 60_000 });
    const v = judge([old], old.id, { id: 'x', status: 'ONAY', consentDate: formatTurkeyTime(NOW - 120_000), state: 'registered' });
    expect(v).toMatchObject({ ok: false, status: 422, reason: /ONAY after ONAY/ });
    expect(judge([stored({ status: 'RET' })])).toMatchObject({ ok: false, status: 422, reason: /first record .* cannot be RET/ });
  });
});

describe('reportData (iys-consent-report/2)', () => {
  it("carries the SMS verification and the form token's age in Turkey time, and an observed record's İYS fields", () => {
    const sent = NOW - 120_000;
    const verified = stored({
      state: 'registered', reason: null, registeredAt: NOW - 60_000,
      evidence: {
        ...stored().evidence, formTokenAgeMs: 4200,
        verification: { id: 'v1', method: 'sms', sentAt: sent, verifiedAt: sent + 30_000, attempts: 2, messageId: 'm-9', clickConsentDate: formatTurkeyTime(sent - 5000) },
      },
    });
    const observed = stored({ state: 'registered', reason: null, status: 'RET', observedBy: 'sweep', drift: 'status', iysExtras: '{"creationDate":"2026-11-30 10:00:00"}' });
    const garbled = stored({ state: 'registered', reason: null, observedBy: 'doubt', drift: 'record', iysExtras: 'not json' });
    const data = reportData({ records: [verified, observed, garbled], attemptsOf: new Map(), notices: [] });
    const [a, b, c] = data.channels[0]!.records;
    expect(data.format).toBe('iys-consent-report/2');
    expect(a!.evidence).toMatchObject({
      formTokenAgeMs: 4200,
      verification: { method: 'sms', sentAt: formatTurkeyTime(sent), verifiedAt: formatTurkeyTime(sent + 30_000), attempts: 2, messageId: 'm-9' },
    });
    expect(a!.observed).toBeNull();
    expect(b!.observed).toEqual({ by: 'sweep', drift: 'status', iys: { creationDate: '2026-11-30 10:00:00' } });
    expect(c!.observed).toEqual({ by: 'doubt', drift: 'record', iys: { text: 'not json' } });
    expect(() => canonicalJson(data)).not.toThrow();
  });

  it('a look-up that finds nothing new leaves the report (and its hash) as it was; a new finding changes it', () => {
    const confirmed = stored({ state: 'registered', reason: null, registeredAt: NOW, confirmedAt: NOW + 1000, checkedAt: NOW + 1000, checkState: 'confirmed' });
    const hash = (r: StoredRecordWithEvidence) => canonicalSha256(reportData({ records: [r], attemptsOf: new Map(), notices: [] }));
    expect(hash({ ...confirmed, checkedAt: NOW + 86_400_000 })).toBe(hash(confirmed));
    expect(hash({ ...confirmed, checkedAt: NOW + 86_400_000, checkState: 'superseded', checkNote: 'İYS holds RET' })).not.toBe(hash(confirmed));
  });
});
