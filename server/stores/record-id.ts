import { randomBytes } from 'node:crypto';

/**
 * Record ids: 26-character ULIDs (Crockford base32: 10 characters of epoch ms, 16 of randomness).
 * They sort as text in creation order, so an id alone tells roughly when a record arrived, and two
 * collector processes sharing one PostgreSQL database never need to coordinate to stay unique.
 * Within one millisecond the random part is incremented, keeping ids of one process strictly ordered.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_CHARS = 16;

let lastMs = -1;
let lastRandom: number[] = [];

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function freshRandom(): number[] {
  return Array.from(randomBytes(RANDOM_CHARS), (b) => b & 31);
}

function increment(digits: number[]): number[] {
  const next = digits.slice();
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i]! += 1;
      return next;
    }
    next[i] = 0;
  }
  return freshRandom(); // 2^80 ids in one millisecond: not a case worth more code
}

export function newRecordId(now: number = Date.now()): string {
  if (now <= lastMs) {
    lastRandom = increment(lastRandom);
  } else {
    lastMs = now;
    lastRandom = freshRandom();
  }
  return encodeTime(lastMs) + lastRandom.map((d) => ALPHABET[d]).join('');
}
