import { errors } from 'undici';
import { describe, expect, test } from 'vitest';
import type { ConsentShowQuery } from '../../shared/iletimerkezi.ts';
import type { Exchange } from '../../server/iletimerkezi/classify.ts';
import { classifyShow } from '../../server/iletimerkezi/classify-show.ts';
import type { ShowOutcome } from '../../server/iletimerkezi/outcome.ts';
import { EXCHANGE_NOW as NOW, answered, failed, sysError } from '../fixtures/exchanges.ts';

const QUERY: ConsentShowQuery = { recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'MESAJ' };

/** İYS's single-status query shape, with the extras seen in public integrations. */
const RECORD = {
  type: 'MESAJ',
  source: 'HS_WEB',
  recipient: '+905321234567',
  recipientType: 'BIREYSEL',
  status: 'ONAY',
  consentDate: '2026-05-10 11:40:00',
  creationDate: '2026-05-10 11:48:54',
  retailerAccessCount: 0,
  transactionId: '52402b9a59206462a',
};
const EXTRAS = { creationDate: '2026-05-10 11:48:54', retailerAccessCount: 0, transactionId: '52402b9a59206462a' };

const answer = (code: number | string, message: string, consent?: unknown) =>
  JSON.stringify({ response: consent === undefined ? { status: { code, message } } : { status: { code, message }, consent } });

type Row = [string, Exchange, Partial<ShowOutcome> & { kind: ShowOutcome['kind'] } & Record<string, unknown>];

const ROWS: Row[] = [
  // found
  ['200, the record as an object → found, extras kept', answered(200, answer(200, 'İşlem başarılı', RECORD)), {
    kind: 'found', code: 200, message: 'İşlem başarılı',
    consent: { status: 'ONAY', source: 'HS_WEB', consentDate: '2026-05-10 11:40:00', extras: EXTRAS },
  }],
  ['200, a one-element list → found', answered(200, answer(200, 'İşlem başarılı', [RECORD])), {
    kind: 'found', consent: { status: 'ONAY', source: 'HS_WEB', consentDate: '2026-05-10 11:40:00', extras: EXTRAS },
  }],
  ['a citizen RET by the short message → found with the IYS_* source', answered(200, answer(200, 'ok', { ...RECORD, status: 'RET', source: 'IYS_3338' })), {
    kind: 'found', consent: expect.objectContaining({ status: 'RET', source: 'IYS_3338' }),
  }],
  ['only status, source and consentDate → found, no extras', answered(200, answer(200, 'ok', { status: 'ONAY', source: 'HS_FIZIKSEL_ORTAM', consentDate: '2026-05-01 10:00:00' })), {
    kind: 'found', consent: { status: 'ONAY', source: 'HS_FIZIKSEL_ORTAM', consentDate: '2026-05-01 10:00:00', extras: {} },
  }],
  ['body code as a string "200"', answered(200, answer('200', 'ok', RECORD)), { kind: 'found', code: 200 }],
  ['body first: HTTP 500 whose body holds the record → found', answered(500, answer(200, 'ok', RECORD)), { kind: 'found', code: 200 }],
  // none
  ['422 → none (the recipient has no İYS record at all)', answered(422, answer(422, 'İstekte gönderilen bazı değerler doğrulanamadı')), { kind: 'none', code: 422 }],
  ['200 with consent: [] → none, never success', answered(200, answer(200, 'İşlem başarılı', [])), { kind: 'none', code: 200, message: 'İşlem başarılı' }],
  ['HTTP 200 whose body says 422 → none', answered(200, answer(422, 'kayıt yok')), { kind: 'none', code: 422, message: 'kayıt yok' }],
  // account
  ['401 → account', answered(401, answer(401, 'Üyelik bilgileri hatalı')), { kind: 'account', code: 401, message: 'Üyelik bilgileri hatalı' }],
  ['403 → account', answered(403, answer(403, 'Aktif abonelik bulunamadı')), { kind: 'account', code: 403 }],
  ['401 with an HTML body → account (HTTP status second)', answered(401, '<html>login</html>'), { kind: 'account', code: 401 }],
  // transient
  ['500 text → transient', answered(500, 'Internal Server Error'), { kind: 'transient', code: 500 }],
  ['503 with Retry-After seconds → transient', answered(503, 'Service Unavailable', '7'), { kind: 'transient', code: 503, retryAfterMs: 7000 }],
  ['429 with Retry-After → transient', answered(429, 'Too Many Requests', '3'), { kind: 'transient', code: 429, retryAfterMs: 3000 }],
  ['429 with a Retry-After date', answered(429, 'slow down', new Date(NOW + 30_000).toUTCString()), { kind: 'transient', code: 429, retryAfterMs: 30_000 }],
  ['a gateway 502 → transient (a read changed nothing)', answered(502, 'Bad Gateway'), { kind: 'transient', code: 502 }],
  ['body code 503 → transient', answered(200, answer(503, 'bakım')), { kind: 'transient', code: 503 }],
  ['connection refused → transient', failed(sysError('ECONNREFUSED'), false), { kind: 'transient', code: null }],
  ['DNS failure → transient', failed(sysError('ENOTFOUND'), false), { kind: 'transient', code: null }],
  ['connect timeout → transient', failed(new errors.ConnectTimeoutError(), false), { kind: 'transient', code: null }],
  ['headers timeout after sending → transient, not ambiguous', failed(new errors.HeadersTimeoutError(), true), { kind: 'transient', code: null }],
  ['answer dropped after sending → transient', failed(new errors.SocketError('other side closed'), true), { kind: 'transient', code: null }],
  ['body cut after the headers → transient', failed(new errors.BodyTimeoutError(), true, 200), { kind: 'transient', code: null }],
  // unreadable
  ['200 with HTML → unreadable, never found or none', answered(200, '<html><body>Bakım çalışması</body></html>'), { kind: 'unreadable', code: 200, excerpt: '<html><body>Bakım çalışması</body></html>' }],
  ['200 with an empty body → unreadable', answered(200, ''), { kind: 'unreadable', code: 200, excerpt: '' }],
  ['422 with an HTML body → unreadable: "no record" needs the body to say so', answered(422, '<html>422</html>'), { kind: 'unreadable', code: 422 }],
  ['code 200 without response.consent → unreadable', answered(200, answer(200, 'ok')), { kind: 'unreadable', code: 200 }],
  ['code 200 with consent: null → unreadable', answered(200, answer(200, 'ok', null)), { kind: 'unreadable', code: 200 }],
  ['code 200 with consent: {} → unreadable', answered(200, answer(200, 'ok', {})), { kind: 'unreadable', code: 200 }],
  ['two records for one key → unreadable', answered(200, answer(200, 'ok', [RECORD, { ...RECORD, status: 'RET' }])), { kind: 'unreadable', code: 200 }],
  ['an unknown status → unreadable', answered(200, answer(200, 'ok', { ...RECORD, status: 'BEKLEMEDE' })), { kind: 'unreadable', code: 200 }],
  ['an unknown source → unreadable', answered(200, answer(200, 'ok', { ...RECORD, source: 'IYS_TELGRAF' })), { kind: 'unreadable', code: 200 }],
  ['a consentDate not in Turkey-time form → unreadable', answered(200, answer(200, 'ok', { ...RECORD, consentDate: '2026-05-10T08:40:00Z' })), { kind: 'unreadable', code: 200 }],
  ['a record of another channel → unreadable', answered(200, answer(200, 'ok', { ...RECORD, type: 'ARAMA' })), { kind: 'unreadable', code: 200 }],
  ['a record of another recipient type → unreadable', answered(200, answer(200, 'ok', { ...RECORD, recipientType: 'TACIR' })), { kind: 'unreadable', code: 200 }],
  ['a record of another recipient → unreadable', answered(200, answer(200, 'ok', { ...RECORD, recipient: '+905329999999' })), { kind: 'unreadable', code: 200 }],
  ['an undocumented code 400 → unreadable', answered(400, answer(400, 'Bad Request')), { kind: 'unreadable', code: 400 }],
];

describe('classifyShow', () => {
  test.each(ROWS)('%s', (_name, exchange, expected) => {
    expect(classifyShow(exchange, QUERY)).toMatchObject(expected);
  });

  test('an e-mail key matches whatever the case İYS writes it in', () => {
    const query: ConsentShowQuery = { recipient: 'ayse@example.com', recipientType: 'BIREYSEL', type: 'EPOSTA' };
    const body = answer(200, 'ok', { ...RECORD, type: 'EPOSTA', recipient: 'Ayse@Example.com' });
    expect(classifyShow(answered(200, body), query)).toMatchObject({ kind: 'found' });
  });

  test('an unreadable answer says what could not be read', () => {
    expect(classifyShow(answered(200, answer(200, 'ok', { ...RECORD, status: 'BEKLEMEDE' })), QUERY).message).toContain('response.consent.status');
    expect(classifyShow(answered(200, answer(200, 'ok', [RECORD, RECORD])), QUERY).message).toContain('2 records');
    expect(classifyShow(answered(200, answer(200, 'ok', { ...RECORD, type: 'ARAMA' })), QUERY).message).toContain('type ARAMA');
  });

  test('keeps the text of transport errors, and an excerpt of at most 200 characters on one line', () => {
    expect(classifyShow(failed(new errors.SocketError('other side closed'), true), QUERY).message).toContain('other side closed');
    const long = classifyShow(answered(200, `<html>\n${'x'.repeat(500)}</html>`), QUERY);
    expect(long.kind).toBe('unreadable');
    if (long.kind === 'unreadable') {
      expect(long.excerpt.length).toBeLessThanOrEqual(200);
      expect(long.excerpt).not.toContain('\n');
    }
  });

  test('no Retry-After → no retryAfterMs', () => {
    expect(classifyShow(answered(503, 'x'), QUERY)).not.toHaveProperty('retryAfterMs');
  });
});
