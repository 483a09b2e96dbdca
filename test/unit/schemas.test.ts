import { describe, expect, it } from 'vitest';
import { batchEnvelopeSchema } from '../../shared/admin-api.ts';
import { batchRecordSchema, consentBodySchema, errorBodySchema } from '../../shared/consent-body.ts';
import { IYS_SIDE_SOURCES, SOURCES, registrySourceSchema, sourceSchema } from '../../shared/enums.ts';
import {
  consentCreateRequestSchema,
  consentCreateResponseSchema,
  consentShowQuerySchema,
  consentShowRequestSchema,
  consentShowResponseSchema,
  shownConsentSchema,
} from '../../shared/iletimerkezi.ts';
import { iysRecordSchema } from '../../shared/iys-record.ts';
import { toFieldIssues } from '../../shared/issues.ts';

const body = {
  recipient: '0532 123 45 67',
  channels: ['MESAJ', 'ARAMA'],
  consentDate: '2026-11-26 16:05:09',
  notice: { version: '2026-11-01', hash: `sha256:${'a'.repeat(64)}` },
  pageUrl: 'https://shop.example/kayit',
  idempotencyKey: '0b9c6f0e-1d2a-4c55-9b0e-7d1c2f3a4b5c',
};

describe('POST /v1/consents body', () => {
  it('accepts the contract example and fills the defaults', () => {
    const r = consentBodySchema.parse(body);
    expect(r.recipientType).toBe('BIREYSEL');
    expect(r.status).toBe('ONAY');
    expect(r.channels).toEqual(['MESAJ', 'ARAMA']);
  });

  it.each([
    ['no channel', { channels: [] }, 'channels', /at least one/],
    ['a channel twice', { channels: ['MESAJ', 'MESAJ'] }, 'channels', /twice/],
    ['an unknown channel', { channels: ['SMS'] }, 'channels.0', /MESAJ/],
    ['no recipient', { recipient: undefined }, 'recipient', /.+/],
    ['a blank recipient', { recipient: '   ' }, 'recipient', /required/],
    ['an ISO consentDate', { consentDate: '2026-11-26T13:05:09.000Z' }, 'consentDate', /YYYY-MM-DD HH:MM:SS/],
    ['a bad notice hash', { notice: { version: 'v1', hash: 'md5:abc' } }, 'notice.hash', /sha256/],
    ['a javascript: page URL', { pageUrl: 'javascript:alert(1)' }, 'pageUrl', /.+/],
    ['an idempotency key with spaces', { idempotencyKey: 'a b c d e f g h' }, 'idempotencyKey', /letters, digits/],
    ['a short idempotency key', { idempotencyKey: 'abc' }, 'idempotencyKey', /.+/],
    ['an unknown field', { source: 'HS_KARAR' }, '(body)', /source/],
    ['status in lower case', { status: 'ret' }, 'status', /ONAY/],
  ])('refuses %s, naming %s', (_name, changes, path, message) => {
    const r = consentBodySchema.safeParse({ ...body, ...changes });
    expect(r.success).toBe(false);
    expect(toFieldIssues(r.error!)).toContainEqual({ path, message: expect.stringMatching(message) });
  });
});

describe('POST /v1/consents/batch body', () => {
  const record = { recipient: '05321234567', type: 'MESAJ', source: 'HS_CAGRI_MERKEZI', consentDate: '2026-11-26 10:00:00' };
  it('accepts a record of any HS source with defaults', () => {
    expect(batchRecordSchema.parse(record)).toMatchObject({ recipientType: 'BIREYSEL', status: 'ONAY' });
  });
  it('needs at least one record', () => {
    expect(toFieldIssues(batchEnvelopeSchema.safeParse({ records: [] }).error!)).toEqual([
      { path: 'records', message: 'needs at least one record' },
    ]);
  });
  it('names the field of a bad record', () => {
    const r = batchRecordSchema.safeParse({ ...record, source: 'HS_FORM' });
    expect(toFieldIssues(r.error!, ['records', 7])).toContainEqual({ path: 'records.7.source', message: expect.stringMatching(/HS_WEB/) });
  });
});

describe('iletiMerkezi envelope', () => {
  const request = {
    request: {
      authentication: { key: 'k', hash: 'h' },
      consent: {
        brandCode: 1234,
        list: [{ recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'MESAJ', status: 'ONAY', source: 'HS_WEB', consentDate: '2026-04-30 09:15:42' }],
      },
    },
  };
  it('accepts the document example, brand code as number or string', () => {
    expect(consentCreateRequestSchema.safeParse(request).success).toBe(true);
    const asString = structuredClone(request) as { request: { consent: { brandCode: unknown } } };
    asString.request.consent.brandCode = '1234';
    expect(consentCreateRequestSchema.safeParse(asString).success).toBe(true);
  });
  it.each([
    ['no credentials', (r: any) => { delete r.request.authentication; }, 'request.authentication'],
    ['an empty list', (r: any) => { r.request.consent.list = []; }, 'request.consent.list'],
    ['a negative brand code', (r: any) => { r.request.consent.brandCode = -1; }, 'request.consent.brandCode'],
  ])('refuses %s', (_n, mutate, path) => {
    const copy = structuredClone(request);
    mutate(copy);
    const r = consentCreateRequestSchema.safeParse(copy);
    expect(r.success).toBe(false);
    expect(toFieldIssues(r.error!).map((i) => i.path)).toContain(path);
  });
  it.each([
    [{ response: { status: { code: 200, message: 'İşlem başarılı' } } }, 200],
    [{ response: { status: { code: '422', message: 'İstekte gönderilen bazı değerler doğrulanamadı' } } }, 422],
  ])('reads the code of an answer', (answer, code) => {
    expect(consentCreateResponseSchema.parse(answer).response.status.code).toBe(code);
  });
  it('refuses an answer without a status', () => {
    expect(consentCreateResponseSchema.safeParse({ response: {} }).success).toBe(false);
  });
});

describe('İYS-side sources: readable, never sendable', () => {
  const record = { recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'MESAJ', status: 'RET', consentDate: '2026-04-30 09:15:42' };
  it.each(IYS_SIDE_SOURCES)('%s is a source İYS may show, and no brand may send it', (source) => {
    expect(registrySourceSchema.safeParse(source).success).toBe(true);
    expect(sourceSchema.safeParse(source).success).toBe(false);
    expect(iysRecordSchema.safeParse({ ...record, source }).success).toBe(false);
    expect(batchRecordSchema.safeParse({ ...record, source }).success).toBe(false);
    const envelope = { request: { authentication: { key: 'k', hash: 'h' }, consent: { brandCode: 1, list: [{ ...record, source }] } } };
    expect(toFieldIssues(consentCreateRequestSchema.safeParse(envelope).error!).map((i) => i.path)).toEqual(['request.consent.list.0.source']);
  });
  it('every HS_* source is readable too, and the two lists do not overlap', () => {
    for (const source of SOURCES) expect(registrySourceSchema.safeParse(source).success).toBe(true);
    expect(SOURCES.filter((s) => (IYS_SIDE_SOURCES as readonly string[]).includes(s))).toEqual([]);
  });
});

describe('iletiMerkezi consent/show', () => {
  const key = { recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'MESAJ' };
  it('accepts a normalised key, phone or e-mail', () => {
    expect(consentShowQuerySchema.safeParse(key).success).toBe(true);
    expect(consentShowQuerySchema.safeParse({ recipient: 'ayse@example.com', recipientType: 'TACIR', type: 'EPOSTA' }).success).toBe(true);
    expect(consentShowRequestSchema.safeParse({ request: { authentication: { key: 'k', hash: 'h' }, consent: { brandCode: '1234', ...key } } }).success).toBe(true);
  });
  it.each([
    ['an unnormalised phone', { recipient: '0532 123 45 67' }, 'recipient', /normalised/],
    ['an e-mail in upper case', { recipient: 'Ayse@example.com', type: 'EPOSTA' }, 'recipient', /lower-case/],
    ['MESAJ to a landline', { recipient: '+902121234567' }, 'recipient', /mobile/],
    ['EPOSTA to a phone', { type: 'EPOSTA' }, 'recipient', /e-mail/],
    ['ARAMA to an e-mail', { recipient: 'ayse@example.com', type: 'ARAMA' }, 'recipient', /phone/],
    ['an unknown recipient type', { recipientType: 'KURUM' }, 'recipientType', /BIREYSEL/],
  ])('refuses %s, naming %s', (_n, over, path, message) => {
    const r = consentShowQuerySchema.safeParse({ ...key, ...over });
    expect(r.success).toBe(false);
    expect(toFieldIssues(r.error!)).toContainEqual({ path, message: expect.stringMatching(message) });
    const envelope = { request: { authentication: { key: 'k', hash: 'h' }, consent: { brandCode: 1, ...key, ...over } } };
    expect(toFieldIssues(consentShowRequestSchema.safeParse(envelope).error!).map((i) => i.path)).toContain(`request.consent.${path}`);
  });
  it('reads a record tolerantly: only status, source and consentDate are required, other fields kept', () => {
    const r = shownConsentSchema.parse({ status: 'RET', source: 'IYS_WEB', consentDate: '2026-05-01 10:00:00', transactionId: 't-1', retailerAccess: [] });
    expect(r).toEqual({ status: 'RET', source: 'IYS_WEB', consentDate: '2026-05-01 10:00:00', transactionId: 't-1', retailerAccess: [] });
    expect(shownConsentSchema.safeParse({ status: 'RET', source: 'IYS_WEB' }).success).toBe(false);
  });
  it('reads the status of an answer whatever its consent holds', () => {
    expect(consentShowResponseSchema.parse({ response: { status: { code: '422', message: 'x' } } }).response.status.code).toBe(422);
    expect(consentShowResponseSchema.parse({ response: { status: { code: 200, message: 'x' }, consent: 'garbage' } }).response.consent).toBe('garbage');
  });
});

describe('error body', () => {
  it('has code, message and issues', () => {
    expect(errorBodySchema.safeParse({ error: { code: 'invalid', message: 'm', issues: [{ path: 'recipient', message: 'x' }] } }).success).toBe(true);
    expect(errorBodySchema.safeParse({ error: { message: 'm' } }).success).toBe(false);
  });
});
