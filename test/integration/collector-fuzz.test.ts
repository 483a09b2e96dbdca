import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../server/sandbox/seeded-random.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { consentBody, startCollector, type RunningCollector } from './collector-harness.ts';

/**
 * Random and mutated bodies against the real collector and ledger: no 5xx, no crash, and no
 * record stored for any refused body. Seeded, so a failure replays: FUZZ_SEED=<n> to vary it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const SEQUENTIAL = 1200;
const CONCURRENT = 200;
const SHOP = 'https://shop.example';
// 409: a fuzzed idempotency key (small pool) reused with another body.
const ALLOWED = new Set([202, 400, 403, 409, 413, 415, 422]);


type Case = { label: string; body: string | Uint8Array<ArrayBuffer>; contentType: string | null; origin?: string };

function makeFuzzer(rand: () => number) {
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)]!;

  const unicodeString = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) {
      const kind = int(6);
      if (kind === 0) s += String.fromCharCode(0xd800 + int(0x800)); // lone surrogates
      else if (kind === 1) s += String.fromCodePoint(0x1f300 + int(0x300)); // emoji
      else if (kind === 2) s += pick(['\u0000', '\u202e', '\ufeff', '\u00a0', 'ş', 'İ', 'ı', '\n', '"', '\\']);
      else s += String.fromCharCode(0x20 + int(0x5f));
    }
    return s;
  };
  const junk = (depth: number): unknown => {
    const kind = int(depth > 3 ? 5 : 8);
    switch (kind) {
      case 0: return null;
      case 1: return rand() < 0.5;
      case 2: return pick([0, -1, 1e308, -0, 3.14, Number.MAX_SAFE_INTEGER + 2]);
      case 3: return unicodeString(int(30));
      case 4: return pick(['', ' ', 'MESAJ', 'ONAY', '0532 123 45 67', 'a@b.co', '2026-11-26 16:05:09']);
      case 5: return Array.from({ length: int(4) }, () => junk(depth + 1));
      case 6: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['a', '__proto__', 'constructor', 'recipient', unicodeString(5)]), junk(depth + 1)]));
      default: return pick([[], {}, [[[[[]]]]], { x: { y: { z: [1, 2, 3] } } }]);
    }
  };
  const fields = ['recipient', 'recipientType', 'channels', 'status', 'consentDate', 'sentAt', 'notice', 'pageUrl', 'idempotencyKey', 'widgetVersion', 'website'];

  const validBody = (): Record<string, unknown> => {
    const email = rand() < 0.3;
    const body = consentBody({
      recipient: email ? `user${int(1e6)}@example.com` : `0532 ${String(100 + int(900))} ${String(10 + int(90))} ${String(10 + int(90))}`,
      channels: email ? ['EPOSTA'] : pick([['MESAJ'], ['ARAMA'], ['MESAJ', 'ARAMA'], ['ARAMA', 'MESAJ']]),
    });
    if (rand() < 0.3) body.notice = { version: '2026-11-01', hash: `sha256:${'ab'.repeat(32)}` };
    if (rand() < 0.3) body.idempotencyKey = `fuzz-${int(40)}-key`; // small pool: repeats happen
    if (rand() < 0.2) body.consentDate = formatTurkeyTime(Date.now() + (int(2) ? 1 : -1) * int(10 * 86_400_000));
    if (rand() < 0.3) body.sentAt = formatTurkeyTime(Date.now() + (int(2) ? 1 : -1) * int(5 * 86_400_000));
    return body;
  };

  const mutate = (body: Record<string, unknown>): Case => {
    const ct = 'application/json';
    switch (int(14)) {
      case 0: {
        delete body[pick(fields)];
        return { label: 'drop a field', body: JSON.stringify(body), contentType: ct };
      }
      case 1: {
        const f = pick(fields);
        const text = JSON.stringify(body);
        return { label: 'duplicate a field', body: `${text.slice(0, -1)},${JSON.stringify(f)}:${JSON.stringify(junk(0))}}`, contentType: ct };
      }
      case 2: {
        body[pick(fields)] = junk(0);
        return { label: 'wrong type', body: JSON.stringify(body), contentType: ct };
      }
      case 3: {
        body[pick(fields)] = 'x'.repeat(pick([300, 2049, 5000, 17_000, 200_000]));
        return { label: 'huge string', body: JSON.stringify(body), contentType: ct };
      }
      case 4: {
        body[pick(fields)] = unicodeString(1 + int(60));
        return { label: 'unicode', body: JSON.stringify(body), contentType: ct };
      }
      case 5: {
        body[pick([...fields, 'extra', '__proto__', 'constructor', 'source'])] = junk(0);
        return { label: 'nested junk', body: JSON.stringify(body), contentType: ct };
      }
      case 6: {
        const text = JSON.stringify(body);
        return { label: 'truncated JSON', body: text.slice(0, int(text.length)), contentType: ct };
      }
      case 7:
        return { label: 'wrong content type', body: JSON.stringify(body), contentType: pick([null, 'application/x-www-form-urlencoded', 'text/html', 'application/json; charset=utf-16', 'multipart/form-data; boundary=z', 'application/jsonx', '']) };
      case 8: {
        const bytes = new Uint8Array(int(300));
        for (let i = 0; i < bytes.length; i++) bytes[i] = int(256);
        return { label: 'random bytes', body: bytes, contentType: pick([ct, 'text/plain']) };
      }
      case 9:
        return { label: 'JSON of another shape', body: JSON.stringify(junk(0)), contentType: ct };
      case 10:
        return { label: 'deep nesting', body: `${'['.repeat(2000 + int(3000))}${']'.repeat(int(2) ? 5000 : 10)}`, contentType: ct };
      case 11:
        return { label: 'random origin', body: JSON.stringify(body), contentType: ct, origin: pick(['https://evil.example', 'null', SHOP, '', unicodeString(8).replace(/[^\x20-\x7e]/g, '')]) };
      case 12: {
        body.website = pick(['http://spam.example', ' ', '', unicodeString(5)]);
        return { label: 'honeypot', body: JSON.stringify(body), contentType: pick([ct, 'text/plain']) };
      }
      default:
        return { label: 'valid', body: JSON.stringify(body), contentType: pick([ct, 'text/plain;charset=UTF-8']) };
    }
  };
  return () => mutate(validBody());
}

async function send(url: string, k: Case): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = {};
  if (k.contentType !== null) headers['content-type'] = k.contentType;
  if (k.origin) headers.origin = k.origin;
  const res = await fetch(`${url}/v1/consents`, { method: 'POST', headers, body: typeof k.body === 'string' ? k.body : new Blob([k.body]) });
  return { status: res.status, body: await res.text() };
}

async function total(c: RunningCollector): Promise<number> {
  const counts = await c.store.countByState();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

describe(`collector fuzz (seed ${SEED})`, () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startCollector({ allowedOrigins: [SHOP], rateLimit: 0 });
  });
  afterAll(() => c.close());

  it(`${SEQUENTIAL} mutated bodies one by one: never a 5xx, nothing stored for a refused one`, async () => {
    const next = makeFuzzer(seededRandom(SEED));
    const seen = new Map<number, number>();
    let stored = await total(c);
    for (let i = 0; i < SEQUENTIAL; i++) {
      const k = next();
      const res = await send(c.url, k);
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      const context = `case ${i} (${k.label}): ${res.status} ${res.body.slice(0, 200)}`;
      expect(ALLOWED.has(res.status), context).toBe(true);
      const now = await total(c);
      if (res.status === 202) {
        const { ids } = JSON.parse(res.body) as { ids: string[] };
        // New rows are exactly the answer's ids, or none (a repeated key, a honeypot).
        expect([stored, stored + ids.length], context).toContain(now);
      } else {
        expect(now, context).toBe(stored);
        expect(JSON.parse(res.body).error.code, context).toEqual(expect.any(String));
      }
      stored = now;
    }
    // The generator must really reach every kind of answer, or the run proves less than it claims.
    for (const status of ALLOWED) expect(seen.get(status) ?? 0, `answers ${JSON.stringify([...seen])}`).toBeGreaterThan(0);
  });

  it(`${CONCURRENT} mutated bodies at once: never a 5xx`, async () => {
    const next = makeFuzzer(seededRandom(SEED + 1));
    const cases = Array.from({ length: CONCURRENT }, next);
    const results = await Promise.all(cases.map((k) => send(c.url, k)));
    results.forEach((r, i) => expect(ALLOWED.has(r.status), `${cases[i]!.label}: ${r.status}`).toBe(true));
  });

  it('still answers afterwards, and logged no unhandled error', async () => {
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
    const res = await fetch(`${c.url}/v1/consents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(consentBody()) });
    expect(res.status).toBe(202);
    expect(c.logs.filter((l) => l.includes('http.unhandled'))).toEqual([]);
  });
});
