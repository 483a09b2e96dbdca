/**
 * Jittered exponential back-off ("full jitter"): the n-th retry waits a random time in
 * [base·2^n / 2, base·2^n], capped. Jitter keeps several collectors from retrying in step after a
 * shared outage; the lower half-bound keeps a retry from coming back at once.
 */
export type BackoffPolicy = { baseMs: number; capMs: number };

export const TRANSIENT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 60_000 };
/** Account problems (401/403/405) are fixed by a person: probe slowly, up to every 10 minutes. */
export const ACCOUNT_BACKOFF: BackoffPolicy = { baseMs: 5_000, capMs: 600_000 };

/** Milliseconds to wait before retry number `attempt` (0 = the first retry). */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  opts: { retryAfterMs?: number; random?: () => number } = {},
): number {
  const random = opts.random ?? Math.random;
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(0, attempt), 40));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  // The server's Retry-After is a floor: coming back earlier only earns another refusal.
  return Math.round(Math.max(jittered, opts.retryAfterMs ?? 0));
}
