import { describe, expect, it } from 'vitest';
import { validateBatch } from '../../server/intake/batch-validate.ts';
import { evidenceOf } from '../../server/intake/evidence.ts';
import { ingestConsent } from '../../server/intake/web-consent.ts';
import { intakeHeadroomMs } from '../../shared/sendability.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';

const NOW = Date.UTC(2026, 10, 26, 13, 0, 0);
const AN_HOUR_AGO = formatTurkeyTime(NOW - 3600_000);
const LONG = 'x'.repeat(5000);

describe('evidenceOf: the one evidence builder', () => {
  it('fills every field from the facts and the arrival, clipping header values to 512 characters', () => {
    const ev = evidenceOf(
      { rawRecipient: '0532 123 45 67', clientConsentDate: AN_HOUR_AGO, channels: 'MESAJ ARAMA', notice: { version: 'v1', hash: 'sha256:ab', lang: 'en' }, pageUrl: 'https://shop.example/', widgetVersion: '1.0.0', idempotencyKey: 'key-0001' },
      { receivedAt: NOW, origin: `https://${LONG}`, ip: '203.0.113.9', userAgent: LONG },
    );
    expect(ev).toEqual({
      rawRecipient: '0532 123 45 67',
      clientConsentDate: AN_HOUR_AGO,
      receivedAt: NOW,
      channels: 'MESAJ ARAMA',
      noticeVersion: 'v1',
      noticeHash: 'sha256:ab',
      noticeLang: 'en',
      pageUrl: 'https://shop.example/',
      origin: `https://${LONG}`.slice(0, 512),
      ip: '203.0.113.9',
      userAgent: LONG.slice(0, 512),
      widgetVersion: '1.0.0',
      idempotencyKey: 'key-0001',
      // Judged after parsing, by the notice registry and the form token gate.
      noticeMatch: null,
      noticeRegistered: null,
      formTokenAgeMs: null,
    });
  });

  it('leaves what a source does not carry null: a server-to-server record has no notice, page or widget', () => {
    const ev = evidenceOf({ rawRecipient: 'a@b.co', clientConsentDate: AN_HOUR_AGO, channels: 'EPOSTA' }, { receivedAt: NOW });
    expect(ev).toMatchObject({ noticeVersion: null, noticeHash: null, noticeLang: null, pageUrl: null, origin: null, ip: null, userAgent: null, widgetVersion: null, idempotencyKey: null });
  });

  it('is what the web intake and batch validation both store: same fields, header values clipped alike', () => {
    const web = ingestConsent({ recipient: '0532 123 45 67', channels: ['MESAJ'], consentDate: AN_HOUR_AGO }, { receivedAt: NOW, origin: null, ip: '203.0.113.9', userAgent: LONG }, { clockToleranceS: 600, headroomMs: intakeHeadroomMs(1000) });
    const batch = validateBatch([{ recipient: '0532 123 45 67', type: 'MESAJ', source: 'HS_WEB', consentDate: AN_HOUR_AGO }], { nowMs: NOW, headroomMs: intakeHeadroomMs(1000), ip: '203.0.113.9', userAgent: LONG });
    if (web.kind !== 'records' || !batch.ok) throw new Error('both should be accepted');
    expect(batch.records[0]!.evidence).toEqual(web.records[0]!.evidence);
  });
});
