import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed form tokens: a short-lived certificate that a consent came from a form the collector served
 * to an allowed origin, TrustedForm-style. `v1.<issued at, base 36 ms>.<nonce>.<mac>`, the MAC an
 * HMAC-SHA256 over the origin, the issue time and the nonce; the nonce makes it good for one consent
 * (its use is kept in the ledger, form-token-gate.ts). Pure but for the nonce's randomness.
 */

/** A token issued a little in the future (another collector's clock ahead) is still good; beyond this it is forged. */
const CLOCK_SLACK_MS = 60_000;
const SHAPE = /^v1\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

const mac = (key: string, origin: string, issuedAt: number, nonce: string): Buffer =>
  createHmac('sha256', key).update(`iys-form-token/1\n${origin}\n${issuedAt}\n${nonce}`, 'utf8').digest();

/** A new token for `origin`, issued at `now`. */
export function issueFormToken(key: string, origin: string, now: number, nonce = randomBytes(16).toString('base64url')): string {
  return `v1.${now.toString(36)}.${nonce}.${mac(key, origin, now, nonce).toString('base64url')}`;
}

export type TokenReading = { ok: true; issuedAt: number; nonce: string } | { ok: false; reason: 'invalid' | 'expired' };

/** Whether `token` was issued by this key for `origin` and is still within `ttlMs` at `now`. */
export function readFormToken(key: string, token: string, origin: string, now: number, ttlMs: number): TokenReading {
  const m = SHAPE.exec(token);
  if (!m) return { ok: false, reason: 'invalid' };
  const issuedAt = parseInt(m[1]!, 36);
  const nonce = m[2]!;
  const given = Buffer.from(m[3]!, 'base64url');
  const expected = mac(key, origin, issuedAt, nonce);
  // A token for another origin fails here too: the origin is inside the MAC.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  if (issuedAt > now + CLOCK_SLACK_MS) return { ok: false, reason: 'invalid' };
  if (now - issuedAt > ttlMs) return { ok: false, reason: 'expired' };
  return { ok: true, issuedAt, nonce };
}
