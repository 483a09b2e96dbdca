import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { bodyLimit, type BodyTextEnv } from '../server/http/body-limit.ts';
import { CONSENT_BODY_LIMIT } from '../server/intake/consent-route.ts';
import { originGate } from '../server/http/origin-gate.ts';
import type { Mode } from './modes.ts';
import { row, type Row } from './table.ts';

const ORIGIN = 'https://shop.example';
const BODY = JSON.stringify({ recipient: '0532 123 45 67', channels: ['MESAJ', 'ARAMA'], consentDate: '2026-11-26 16:05:09', pageUrl: 'https://shop.example/kayit' });

function app(chain: MiddlewareHandler[], read: (c: { req: { text(): Promise<string> }; var: Record<string, unknown> }) => Promise<string>): Hono {
  const a = new Hono<BodyTextEnv>();
  for (const mw of chain) a.use('/v1/consents', mw as MiddlewareHandler<BodyTextEnv>);
  a.post('/v1/consents', async (c) => {
    await read(c as never);
    return c.body(null, 202);
  });
  return a as unknown as Hono;
}

/** µs per request of `count` in-process posts through `a` (app.request: no socket). */
async function perRequest(a: Hono, count: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const res = await a.request('/v1/consents', {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json', 'content-length': String(BODY.length) },
      body: BODY,
    });
    if (res.status !== 202) throw new Error(`middleware bench: got ${res.status}`);
  }
  return Number(process.hrtime.bigint() - started) / 1000 / count;
}

/**
 * The collector's own origin gate + streaming body reader against hono/cors + hono/body-limit +
 * c.req.text(), in process, each against a bare route; the best of several interleaved rounds.
 */
export async function middlewareBench(mode: Mode): Promise<Row> {
  const { posts, rounds } = mode.middleware;
  const apps = {
    bare: app([], (c) => c.req.text()),
    stock: app([cors({ origin: [ORIGIN], allowMethods: ['POST'] }), honoBodyLimit({ maxSize: CONSENT_BODY_LIMIT })], (c) => c.req.text()),
    ours: app(
      [originGate({ allowedOrigins: [ORIGIN], methods: ['POST'], headers: ['Content-Type'] }), bodyLimit({ maxBytes: CONSENT_BODY_LIMIT }) as MiddlewareHandler],
      async (c) => c.var.bodyText as string,
    ),
  };
  const best = { bare: Infinity, stock: Infinity, ours: Infinity };
  for (const a of Object.values(apps)) await perRequest(a, Math.min(posts, 500)); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const name of ['bare', 'stock', 'ours'] as const) best[name] = Math.min(best[name], await perRequest(apps[name], posts));
  }
  const added = (t: number) => `${t - best.bare >= 0 ? '+' : ''}${(t - best.bare).toFixed(1)}`;
  return row({
    bench: 'ingest',
    measure: 'CORS + body limit: µs per request, ours vs hono/cors + hono/body-limit',
    load: `${posts} in-process posts × ${rounds} rounds, best round`,
    figure: best.ours,
    baseline: best.stock,
    unit: 'µs',
    target: 'ours ≤ stock',
    met: best.ours <= best.stock,
    note: `over a bare route (${best.bare.toFixed(1)} µs): stock ${added(best.stock)} µs, ours ${added(best.ours)} µs` +
      (best.ours > best.stock ? '; ours was slower than the stock pair in this run (differences of a few µs are noise here)' : ''),
  });
}
