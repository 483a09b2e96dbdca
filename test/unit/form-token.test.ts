import { describe, expect, it } from 'vitest';
import { issueFormToken, readFormToken } from '../../server/intake/form-token.ts';

const KEY = 'a-form-token-secret-of-32-characters-or-more';
const SITE = 'https://shop.example';
const T0 = Date.parse('2026-11-30T09:00:00Z');
const TTL = 600_000;

describe('signed form tokens', () => {
  const token = issueFormToken(KEY, SITE, T0, 'AAAAAAAAAAAAAAAAAAAAAA');

  it('reads back what it issued: the issue time and the nonce', () => {
    expect(token).toMatch(/^v1\.[0-9a-z]+\.AAAAAAAAAAAAAAAAAAAAAA\.[A-Za-z0-9_-]{43}$/);
    expect(readFormToken(KEY, token, SITE, T0 + 1000, TTL)).toEqual({ ok: true, issuedAt: T0, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' });
    expect(issueFormToken(KEY, SITE, T0)).not.toBe(issueFormToken(KEY, SITE, T0)); // a random nonce each
  });

  it.each([
    ['another origin', KEY, token, 'https://other.example', T0],
    ['another key', 'another-secret-of-32-characters-or-more!', token, SITE, T0],
    ['a changed issue time', KEY, token.replace(/^v1\.[0-9a-z]+/, `v1.${(T0 + 60_000).toString(36)}`), SITE, T0 + 60_000],
    ['a changed nonce', KEY, token.replace('AAAAAAAAAAAAAAAAAAAAAA', 'BAAAAAAAAAAAAAAAAAAAAA'), SITE, T0],
    ['a cut MAC', KEY, token.slice(0, -1), SITE, T0],
    ['not a token', KEY, 'v1.abc', SITE, T0],
    ['issued more than a minute in the future', KEY, issueFormToken(KEY, SITE, T0 + 61_000), SITE, T0],
  ])('invalid with %s', (_, key, t, origin, now) => {
    expect(readFormToken(key, t, origin, now, TTL)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('expires after its lifetime, to the millisecond; a clock a little behind the issuer\'s still takes it', () => {
    expect(readFormToken(KEY, token, SITE, T0 + TTL, TTL)).toMatchObject({ ok: true });
    expect(readFormToken(KEY, token, SITE, T0 + TTL + 1, TTL)).toEqual({ ok: false, reason: 'expired' });
    expect(readFormToken(KEY, token, SITE, T0 - 30_000, TTL)).toMatchObject({ ok: true });
  });
});
