import { createHash } from 'node:crypto';

/**
 * The JSON Canonicalization Scheme (RFC 8785) for what the audit report holds: objects with their
 * keys sorted by UTF-16 code units, no whitespace, strings and numbers written as ECMAScript's
 * JSON.stringify writes them (which is what RFC 8785 prescribes). So the same data always gives the
 * same bytes, and anyone can re-make them with any RFC 8785 implementation to check the hash.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('canonicalJson: numbers must be finite');
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  // Array.prototype.sort compares strings by UTF-16 code units, RFC 8785's order.
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Lower-case hex SHA-256 of the canonical JSON's UTF-8 bytes. */
export function canonicalSha256(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}
