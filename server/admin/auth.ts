import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { errorResponse } from '../http/errors.ts';
import { FailureLimiter } from './failure-limiter.ts';

/**
 * Bearer-token guard of the admin endpoints (IYS_ADMIN_TOKEN).
 * - No token configured: every admin endpoint answers 403, saying how to switch them on.
 * - Missing or wrong token: 401 with `WWW-Authenticate: Bearer`; a wrong token counts as the IP's
 *   failure, a missing one (no bearer token at all) does not.
 * - An IP past its failures: 429 with Retry-After until its window ends.
 * Tokens are compared as SHA-256 digests with timingSafeEqual: equal lengths, constant time,
 * so neither the token's length nor its prefix leaks through timing.
 */

export type AdminAuthOptions = {
  token: string | null | undefined;
  /** The key failures are counted by: the client IP. */
  clientIp: (c: Context) => string;
  limiter?: FailureLimiter;
  now?: () => number;
};

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header ? /^Bearer[ \t]+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1] : undefined;
}

export function adminAuth(opts: AdminAuthOptions): MiddlewareHandler {
  const limiter = opts.limiter ?? new FailureLimiter();
  const clientIp = opts.clientIp;
  const now = opts.now ?? Date.now;
  const expected = opts.token && opts.token.length > 0 ? opts.token : undefined;

  return async (c, next) => {
    if (!expected) {
      return errorResponse(c, 403, 'admin-disabled', 'the admin endpoints are switched off: set IYS_ADMIN_TOKEN on the collector to use them');
    }
    const ip = clientIp(c);
    const wait = limiter.blockedFor(ip, now());
    if (wait > 0) {
      c.header('Retry-After', String(Math.ceil(wait / 1000)));
      return errorResponse(c, 429, 'too-many-failures', 'too many failed admin logins from this address: try again later');
    }
    const given = bearerToken(c.req.header('authorization'));
    if (given === undefined || !tokenMatches(given, expected)) {
      // Only a token presented and wrong is a guess: anonymous requests from a shared address must not lock the operator out.
      if (given !== undefined) limiter.fail(ip, now());
      c.header('WWW-Authenticate', 'Bearer realm="iys-consent admin"');
      return errorResponse(c, 401, 'unauthorized', given === undefined ? 'send the admin token as Authorization: Bearer <IYS_ADMIN_TOKEN>' : 'the admin token is wrong');
    }
    limiter.succeed(ip);
    await next();
  };
}
