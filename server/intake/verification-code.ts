import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * The 6-digit code: drawn from the system's CSPRNG, kept only as a salted SHA-256 (`salt:hex`). Six
 * digits are a million values, so the hash alone would not stop someone holding the database from
 * trying them all; what protects a code is its short lifetime and the few tries it allows. The
 * hash keeps it out of backups, logs and the lookup, where the code itself must never appear.
 */
export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function hashCode(code: string, salt = randomBytes(16).toString('hex')): string {
  return `${salt}:${createHash('sha256').update(`${salt}:${code}`, 'utf8').digest('hex')}`;
}

export function codeMatches(code: string, stored: string): boolean {
  const salt = stored.slice(0, stored.indexOf(':'));
  const a = Buffer.from(hashCode(code, salt));
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** An id the person's browser holds for the code step: unguessable, so nobody else can type codes into it. */
export function newVerificationId(): string {
  return `v_${randomBytes(16).toString('base64url')}`;
}
