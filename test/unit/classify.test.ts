import { describe, expect, test } from 'vitest';
import { errors } from 'undici';
import { classify, parseRetryAfter, type Exchange } from '../../server/iletimerkezi/classify.ts';
import type { SendOutcome } from '../../server/iletimerkezi/outcome.ts';
import { EXCHANGE_NOW as NOW, answered, failed, sysError } from '../fixtures/exchanges.ts';

const json = (code: number | string, message = 'mesaj') => JSON.stringify({ response: { status: { code, message } } });

type Expect = Partial<SendOutcome> & { kind: SendOutcome['kind'] };

const ROWS: Array<[string, Exchange, Expect]> = [
  ['200 / body 200 → accepted', answered(200, json(200, 'İşlem başarılı')), { kind: 'accepted', code: 200, message: 'İşlem başarılı' }],
  ['200 / body 422 → records refused (body first)', answered(200, json(422, 'doğrulanamadı')), { kind: 'records-refused', code: 422, message: 'doğrulanamadı' }],
  ['422 / body 422', answered(422, json(422)), { kind: 'records-refused', code: 422 }],
  ['475 / body 475', answered(475, json(475)), { kind: 'too-many', code: 475 }],
  ['401 / body 401', answered(401, json(401, 'Üyelik bilgileri hatalı')), { kind: 'account', code: 401, message: 'Üyelik bilgileri hatalı' }],
  ['403 / body 403', answered(403, json(403)), { kind: 'account', code: 403 }],
  ['405 / body 405', answered(405, json(405)), { kind: 'account', code: 405 }],
  ['body code as a string "200"', answered(200, json('200')), { kind: 'accepted', code: 200 }],
  ['500 / body 200 → accepted (body first)', answered(500, json(200)), { kind: 'accepted', code: 200 }],
  ['503 text → transient with Retry-After', answered(503, 'Service Unavailable', '7'), { kind: 'transient', code: 503, retryAfterMs: 7000 }],
  ['429 text → transient with Retry-After date', answered(429, 'slow down', new Date(NOW + 30_000).toUTCString()), { kind: 'transient', code: 429, retryAfterMs: 30_000 }],
  ['200 with HTML → ambiguous, never accepted', answered(200, '<html>portal</html>'), { kind: 'ambiguous', code: null }],
  ['200 with an empty body → ambiguous', answered(200, ''), { kind: 'ambiguous', code: null }],
  ['200 with JSON of another shape → ambiguous', answered(200, '{"ok":true}'), { kind: 'ambiguous', code: null }],
  ['502 from a gateway → ambiguous (it may have forwarded the request)', answered(502, 'Bad Gateway'), { kind: 'ambiguous', code: null }],
  ['504 from a gateway → ambiguous', answered(504, 'Gateway Timeout', '5'), { kind: 'ambiguous', code: null }],
  ['500 text → transient (the service refused before storing)', answered(500, 'Internal Server Error'), { kind: 'transient', code: 500 }],
  ['503 text → transient', answered(503, 'Service Unavailable'), { kind: 'transient', code: 503 }],
  ['429 text → transient', answered(429, 'slow down'), { kind: 'transient', code: 429 }],
  ['422 with an HTML body → HTTP status second', answered(422, '<html/>'), { kind: 'records-refused', code: 422 }],
  ['undocumented body code 400 → transient, kept', answered(400, json(400)), { kind: 'transient', code: 400 }],
  ['connect timeout → transient', failed(new errors.ConnectTimeoutError(), false), { kind: 'transient', code: null }],
  ['ECONNREFUSED → transient', failed(sysError('ECONNREFUSED'), false), { kind: 'transient', code: null }],
  ['ECONNREFUSED even if marked sent → transient', failed(sysError('ECONNREFUSED'), true), { kind: 'transient', code: null }],
  ['headers timeout after sending → ambiguous', failed(new errors.HeadersTimeoutError(), true), { kind: 'ambiguous', code: null }],
  ['headers timeout, sending not reported → still ambiguous', failed(new errors.HeadersTimeoutError(), false), { kind: 'ambiguous', code: null }],
  ['body timeout → ambiguous', failed(new errors.BodyTimeoutError(), true), { kind: 'ambiguous', code: null }],
  ['socket closed after sending → ambiguous', failed(new errors.SocketError('other side closed'), true), { kind: 'ambiguous', code: null }],
  ['socket closed before sending → transient', failed(new errors.SocketError('other side closed'), false), { kind: 'transient', code: null }],
  ['ECONNRESET after sending → ambiguous', failed(sysError('ECONNRESET'), true), { kind: 'ambiguous', code: null }],
];

describe('classify', () => {
  test.each(ROWS)('%s', (_name, exchange, expected) => {
    expect(classify(exchange)).toMatchObject(expected);
  });

  test('keeps the text of transport errors and of unreadable bodies', () => {
    expect(classify(failed(new errors.SocketError('other side closed'), true)).message).toContain('other side closed');
    expect(classify(answered(502, 'Bad Gateway from nginx')).message).toContain('Bad Gateway from nginx');
  });

  test('no Retry-After → no retryAfterMs', () => {
    expect(classify(answered(503, 'x'))).not.toHaveProperty('retryAfterMs');
  });
});

describe('parseRetryAfter', () => {
  test.each([
    ['0', 0],
    ['120', 120_000],
    [' 5 ', 5000],
    [new Date(NOW + 90_000).toUTCString(), 90_000],
    [new Date(NOW - 90_000).toUTCString(), 0],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    [undefined, undefined],
  ] as const)('%s → %s', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });
});
