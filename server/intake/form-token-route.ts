import { Hono } from 'hono';
import type { FormTokenAnswer } from '../../shared/notice-api.ts';
import { errorResponse } from '../http/errors.ts';
import { originGate } from '../http/origin-gate.ts';
import type { Logger } from '../log/logger.ts';
import { issueFormToken } from './form-token.ts';

/**
 * GET /v1/form-token: a signed form token for the page's origin, under the consent endpoint's CORS.
 * The origin is the request's Origin header; a same-origin GET carries none, so the widget names its
 * page's origin in `?origin=` too, which must then be an allowed one. With tokens off: 204, nothing.
 */
export function formTokenRoute(opts: { key: string | null; ttlS: number; allowedOrigins: readonly string[]; now: () => number; logger: Logger }): Hono {
  // No refusal logging here: the consent post from that origin is refused and logged anyway.
  const gate = originGate({ allowedOrigins: opts.allowedOrigins, methods: ['GET'], headers: [] });
  const allowed = new Set(opts.allowedOrigins);
  const routes = new Hono();
  routes.options('/v1/form-token', gate);
  routes.get('/v1/form-token', gate, (c) => {
    c.header('Cache-Control', 'no-store');
    if (opts.key === null) return c.body(null, 204);
    const origin = c.req.header('origin') ?? c.req.query('origin');
    if (origin === undefined || !allowed.has(origin)) {
      return errorResponse(c, 403, 'origin-not-allowed', 'a form token is issued only for an origin in IYS_ALLOWED_ORIGINS', [{ path: 'origin', message: 'is not an allowed origin' }]);
    }
    return c.json({ token: issueFormToken(opts.key, origin, opts.now()), expiresInMs: opts.ttlS * 1000 } satisfies FormTokenAnswer);
  });
  return routes;
}
