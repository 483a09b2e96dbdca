import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseTurkeyTime } from '../../shared/turkey-time.ts';
import type { ConsentPost, Outcome } from '../../widget/sender.ts';

// The widget's outbox with a stand-in fetch, localStorage and clock: what it posts and when it retries.
type Sender = typeof import('../../widget/sender.ts');

const body = (key: string): ConsentPost => ({
  recipient: '+905321234567',
  channels: ['MESAJ'],
  consentDate: '2026-11-26 16:05:09',
  idempotencyKey: key,
});

let sender: Sender;
/** The status the collector answers, per idempotencyKey: a list used up front to back, then 202. */
let answers: Map<string, number[]>;
let posted: { key: string; sentAt: string; consentDate: string; formToken?: string }[];
/** What GET /v1/form-token answers: 204 (tokens off) unless a test sets a lifetime; tokens are numbered. */
let tokens: { expiresInMs: number | null; issued: number; refuse: string[] };

beforeEach(async () => {
  vi.useFakeTimers({ now: Date.UTC(2026, 10, 26, 13, 5, 9) });
  answers = new Map();
  posted = [];
  tokens = { expiresInMs: null, issued: 0, refuse: [] };
  vi.stubGlobal('localStorage', {});
  vi.stubGlobal('location', { origin: 'https://shop.example' });
  vi.stubGlobal('fetch', async (url: string, init?: { body: string }) => {
    if (url.startsWith('https://c.example/v1/form-token?origin=https%3A%2F%2Fshop.example')) {
      if (tokens.expiresInMs === null) return new Response(null, { status: 204 });
      return new Response(JSON.stringify({ token: `t${++tokens.issued}`, expiresInMs: tokens.expiresInMs }), { status: 200 });
    }
    const sent = JSON.parse(init!.body) as ConsentPost & { sentAt: string; formToken?: string };
    posted.push({ key: sent.idempotencyKey, sentAt: sent.sentAt, consentDate: sent.consentDate, formToken: sent.formToken });
    if (sent.formToken && tokens.refuse.includes(sent.formToken)) {
      return new Response(JSON.stringify({ error: { code: 'form-token-expired', message: '…' } }), { status: 403 });
    }
    const status = answers.get(sent.idempotencyKey)?.shift() ?? 202;
    // The collector's error body, with the code of docs/contract.md for the statuses it has one for.
    const code = ({ 403: 'origin-not-allowed', 409: 'idempotency-key-reused', 415: 'unsupported-media-type', 422: 'invalid-consent', 429: 'sms-cap-number' } as Record<number, string>)[status];
    const answer = status === 202 ? { ids: ['id'] } : code ? { error: { code, message: '…' } } : {};
    return new Response(status === 403 && sent.recipient === 'no body' ? 'Forbidden' : JSON.stringify(answer), { status });
  });
  vi.resetModules();
  sender = await import('../../widget/sender.ts');
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const postsOf = (key: string) => posted.filter((p) => p.key === key).length;

describe('the outbox sender', () => {
  it('never queues or retries a consent held for its SMS code: a cap\'s 429 is final and named, a 503 is not tried again', async () => {
    const outcomes: Outcome[] = [];
    answers.set('verify-a', [429]);
    sender.send('https://c.example/v1/consents', { ...body('verify-a'), verify: 'sms' }, (o) => outcomes.push(o));
    expect(sender.pending()).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(outcomes).toEqual([{ reason: 'sms-cap-number', retrying: false }]);
    answers.set('verify-b', [503]);
    sender.send('https://c.example/v1/consents', { ...body('verify-b'), verify: 'sms' }, (o) => outcomes.push(o));
    await vi.advanceTimersByTimeAsync(60_000);
    sender.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(postsOf('verify-a')).toBe(1);
    expect(postsOf('verify-b')).toBe(1);
    expect(outcomes.at(-1)).toEqual({ reason: 'http-503', retrying: false });
  });

  it('retries each consent three times on its own count: one that used up its retries leaves another its own', async () => {
    const outcomes: Outcome[] = [];
    answers.set('consent-a', [503, 503, 503, 503, 503]);
    sender.send('https://c.example/v1/consents', body('consent-a'), (o) => outcomes.push(o));
    await vi.advanceTimersByTimeAsync(3000 + 6000 + 12000 + 60_000);
    expect(postsOf('consent-a')).toBe(4); // the post and three timed retries, then it waits for `online` or a page load

    // A later consent in the same long-lived page: its first failure still gets a timed retry.
    answers.set('consent-b', [503]);
    const b: Outcome[] = [];
    sender.send('https://c.example/v1/consents', body('consent-b'), (o) => b.push(o));
    await vi.advanceTimersByTimeAsync(0);
    expect(b).toEqual([{ reason: 'http-503', retrying: true }]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(b.at(-1)).toEqual({ ids: ['id'] });
    expect(sender.pending().map((e) => e.body.idempotencyKey)).toEqual(['consent-a']);
  });

  it('a success starts the count again for that consent', async () => {
    answers.set('consent-a', [503, 503]);
    sender.send('https://c.example/v1/consents', body('consent-a'), () => {});
    await vi.advanceTimersByTimeAsync(3000 + 6000);
    expect(postsOf('consent-a')).toBe(3);
    expect(sender.pending()).toEqual([]);
    // The same key queued again (another tab's leftover, say) has its three retries again.
    answers.set('consent-a', [503, 503, 503]);
    sender.send('https://c.example/v1/consents', body('consent-a'), () => {});
    await vi.advanceTimersByTimeAsync(3000 + 6000 + 12000);
    expect(postsOf('consent-a')).toBe(3 + 4);
    expect(sender.pending()).toEqual([]);
  });

  it.each([
    [403, 'origin-not-allowed'],
    [415, 'unsupported-media-type'],
    [422, 'invalid-consent'],
  ])('a %i is final and reported by the error code the collector gave, %s', async (status, code) => {
    const outcomes: Outcome[] = [];
    answers.set('consent-a', [status]);
    sender.send('https://c.example/v1/consents', body('consent-a'), (o) => outcomes.push(o));
    await vi.advanceTimersByTimeAsync(3000 + 6000 + 12000);
    expect(outcomes).toEqual([{ reason: code, retrying: false }]);
    expect(postsOf('consent-a')).toBe(1);
    expect(sender.pending()).toEqual([]);
  });

  it('other refusals, and a final one without the collector\'s body, keep the http-<status> reason', async () => {
    const outcomes: Outcome[] = [];
    answers.set('consent-a', [409]);
    answers.set('consent-b', [403]);
    sender.send('https://c.example/v1/consents', body('consent-a'), (o) => outcomes.push(o));
    sender.send('https://c.example/v1/consents', { ...body('consent-b'), recipient: 'no body' }, (o) => outcomes.push(o));
    await vi.advanceTimersByTimeAsync(0);
    expect(outcomes).toEqual([
      { reason: 'http-409', retrying: false },
      { reason: 'http-403', retrying: false },
    ]);
    expect(sender.pending()).toEqual([]);
  });

  it('every send carries its own sentAt, the consentDate stays the original', async () => {
    answers.set('consent-a', [503]);
    sender.send('https://c.example/v1/consents', body('consent-a'), () => {});
    await vi.advanceTimersByTimeAsync(3000);
    expect(posted.map((p) => p.consentDate)).toEqual(['2026-11-26 16:05:09', '2026-11-26 16:05:09']);
    expect(posted.map((p) => p.sentAt)).toEqual(['2026-11-26 16:05:09', '2026-11-26 16:05:12']);
    expect(posted.every((p) => parseTurkeyTime(p.sentAt) !== undefined)).toBe(true);
  });

  it('with tokens off (204) posts carry no token', async () => {
    sender.send('https://c.example/v1/consents', body('consent-a'), () => {});
    await vi.advanceTimersByTimeAsync(0);
    expect(posted).toEqual([expect.objectContaining({ key: 'consent-a', formToken: undefined })]);
  });

  it('a token for each consent, the next one fetched ahead: a resend takes a token no other consent took (the collector takes it for the same consent)', async () => {
    tokens.expiresInMs = 600_000;
    answers.set('consent-a', [503]);
    const outcomes: Outcome[] = [];
    sender.send('https://c.example/v1/consents', body('consent-a'), (o) => outcomes.push(o));
    await vi.advanceTimersByTimeAsync(0);
    sender.send('https://c.example/v1/consents', body('consent-b'), () => {});
    await vi.advanceTimersByTimeAsync(3000);
    expect(posted.map((p) => [p.key, p.formToken])).toEqual([['consent-a', 't1'], ['consent-b', 't2'], ['consent-a', 't3']]);
    expect(outcomes.at(-1)).toEqual({ ids: ['id'] });
  });

  it('before a token expires the next one is fetched, so a consent after a long pause takes a good one without waiting', async () => {
    tokens.expiresInMs = 10_000;
    sender.send('https://c.example/v1/consents', body('consent-a'), () => {});
    await vi.advanceTimersByTimeAsync(0);
    const before = tokens.issued; // t1 taken by consent-a, t2 fetched ahead
    await vi.advanceTimersByTimeAsync(60_000);
    expect(tokens.issued).toBeGreaterThan(before); // t2 replaced before it expired, and so on
    sender.send('https://c.example/v1/consents', body('consent-b'), () => {});
    await vi.advanceTimersByTimeAsync(0);
    expect(posted.at(-1)!.formToken).toBe(`t${tokens.issued - 1}`);
  });

  it('a refused token (form-token-expired) is not final: another token, another try, the consent kept meanwhile', async () => {
    tokens.expiresInMs = 600_000;
    tokens.refuse = ['t1'];
    const outcomes: Outcome[] = [];
    sender.send('https://c.example/v1/consents', body('consent-a'), (o) => outcomes.push(o));
    await vi.advanceTimersByTimeAsync(0);
    expect(outcomes).toEqual([{ reason: 'form-token-expired', retrying: true }]);
    expect(sender.pending()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(outcomes.at(-1)).toEqual({ ids: ['id'] });
    expect(posted.map((p) => p.formToken)).toEqual(['t1', 't3']);
    expect(sender.pending()).toEqual([]);
  });
});
