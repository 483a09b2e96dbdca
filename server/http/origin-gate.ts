import type { MiddlewareHandler } from 'hono';
import { errorResponse } from './errors.ts';

export type OriginGateOptions = {
  /** Exact origins (scheme://host[:port]) that may post from a browser. */
  allowedOrigins: readonly string[];
  /** Methods announced to a preflight. */
  methods: readonly string[];
  /** Request headers announced to a preflight (Content-Type for application/json posts). */
  headers: readonly string[];
  /** How long a browser may cache a preflight answer. */
  maxAgeS?: number;
};

/**
 * Origin check and CORS in one small step, replacing hono/cors on the hot path:
 * - no Origin header (an app, a server): passes, without CORS headers;
 * - an allowed Origin: preflights answered 204, responses get Access-Control-Allow-Origin;
 * - any other Origin: 403, preflight included, and no CORS header at all.
 * Every answer carries `Vary: Origin`, since it depends on it.
 */
export function originGate(opts: OriginGateOptions): MiddlewareHandler {
  const allowed = new Set(opts.allowedOrigins);
  const methods = opts.methods.join(', ');
  const headers = opts.headers.join(', ');
  const maxAge = String(opts.maxAgeS ?? 600);
  return async (c, next) => {
    const origin = c.req.header('origin');
    c.header('Vary', 'Origin');
    if (origin === undefined) return next();
    if (!allowed.has(origin)) {
      return errorResponse(c, 403, 'origin-not-allowed', 'this origin may not post consents here; the collector operator lists allowed origins in IYS_ALLOWED_ORIGINS');
    }
    c.header('Access-Control-Allow-Origin', origin);
    if (c.req.method === 'OPTIONS') {
      c.header('Access-Control-Allow-Methods', methods);
      c.header('Access-Control-Allow-Headers', headers);
      c.header('Access-Control-Max-Age', maxAge);
      return c.body(null, 204);
    }
    // The widget reads Retry-After to tell the person when to try again.
    c.header('Access-Control-Expose-Headers', 'Retry-After');
    return next();
  };
}
