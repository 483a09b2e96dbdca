import type { Context, MiddlewareHandler } from 'hono';
import { errorResponse } from './errors.ts';

const OVERFLOW = '(overflow)';

export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

export type RateLimiter = { take(key: string): RateDecision; size(): number };

/**
 * Fixed one-minute windows per key, each starting at the key's first request. Memory stays bounded:
 * expired windows are swept once a window, and beyond `maxKeys` live keys the newcomers share one
 * overflow bucket (a flood of fresh addresses gets limited together instead of growing the map).
 */
export function createRateLimiter(opts: { limit: number; windowMs?: number; maxKeys?: number; now?: () => number }): RateLimiter {
  const windowMs = opts.windowMs ?? 60_000;
  const maxKeys = opts.maxKeys ?? 100_000;
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = now();

  function sweep(t: number): void {
    if (t - lastSweep < windowMs) return;
    lastSweep = t;
    for (const [key, w] of windows) if (t - w.start >= windowMs) windows.delete(key);
  }

  function take(key: string): RateDecision {
    const t = now();
    sweep(t);
    let w = windows.get(key);
    if (w && t - w.start >= windowMs) w = undefined;
    if (!w) {
      if (windows.size >= maxKeys && key !== OVERFLOW && !windows.has(key)) return take(OVERFLOW);
      w = { start: t, count: 0 };
      windows.set(key, w);
    }
    if (w.count >= opts.limit) return { ok: false, retryAfterS: Math.max(1, Math.ceil((w.start + windowMs - t) / 1000)) };
    w.count += 1;
    return { ok: true };
  }

  return { take, size: () => windows.size };
}

/** 429 with Retry-After once a key used up its window; `limit` 0 switches it off. */
export function rateLimit(opts: { limit: number; keyOf: (c: Context) => string; now?: () => number }): MiddlewareHandler {
  if (opts.limit === 0) return async (_c, next) => next();
  const limiter = createRateLimiter({ limit: opts.limit, now: opts.now });
  return async (c, next) => {
    const decision = limiter.take(opts.keyOf(c));
    if (!decision.ok) {
      c.header('Retry-After', String(decision.retryAfterS));
      return errorResponse(c, 429, 'rate-limited', `too many consent posts from this address; try again in ${decision.retryAfterS} s`);
    }
    return next();
  };
}
