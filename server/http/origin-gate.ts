import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../log/logger.ts';
import { errorResponse } from './errors.ts';
import { createRateLimiter } from './rate-limit.ts';

export type OriginGateOptions = {
  /** Exact origins (scheme://host[:port]) that may post from a browser. */
  allowedOrigins: readonly string[];
  /** Methods announced to a preflight. */
  methods: readonly string[];
  /** Request headers announced to a preflight (Content-Type for application/json posts). */
  headers: readonly string[];
  /** How long a browser may cache a preflight answer. */
  maxAgeS?: number;
  /** Where a refused origin is reported, at warn, once per origin per minute. */
  logger?: Pick<Logger, 'warn'>;
  now?: () => number;
};

/** Origins named in the log, at most; a flood of made-up ones shares one line a minute beyond it. */
const LOGGED_ORIGINS = 1000;
/** An Origin header is short; a long one is cut before it is kept or logged. */
const ORIGIN_CHARS = 200;

/**
 * Origin check and CORS in one small step, replacing hono/cors on the hot path:
 * - no Origin header (an app, a server): passes, without CORS headers;
 * - an allowed Origin: preflights answered 204, responses get Access-Control-Allow-Origin;
 * - any other Origin: 403 `origin-not-allowed`, preflight included, WITH Access-Control-Allow-Origin
 *   for that origin, so the page can read the refusal (the widget reports it and stops retrying
 *   instead of seeing a network error), and a warn line naming the origin, once a minute per origin:
 *   a site missing from IYS_ALLOWED_ORIGINS otherwise loses its consents silently.
 * Every answer carries `Vary: Origin`, since it depends on it.
 */
export function originGate(opts: OriginGateOptions): MiddlewareHandler {
  const allowed = new Set(opts.allowedOrigins);
  const methods = opts.methods.join(', ');
  const headers = opts.headers.join(', ');
  const maxAge = String(opts.maxAgeS ?? 600);
  const logOnce = createRateLimiter({ limit: 1, maxKeys: LOGGED_ORIGINS, now: opts.now });
  return async (c, next) => {
    const origin = c.req.header('origin');
    c.header('Vary', 'Origin');
    if (origin === undefined) return next();
    c.header('Access-Control-Allow-Origin', origin);
    if (!allowed.has(origin)) {
      const named = origin.slice(0, ORIGIN_CHARS);
      if (opts.logger && logOnce.take(named).ok) {
        opts.logger.warn(
          { event: 'consent.origin-refused', origin: named, method: c.req.method },
          'a browser posted from an origin not in IYS_ALLOWED_ORIGINS: answered 403 (logged once a minute per origin)',
        );
      }
      return errorResponse(c, 403, 'origin-not-allowed', 'this origin may not post consents here; the collector operator lists allowed origins in IYS_ALLOWED_ORIGINS');
    }
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
