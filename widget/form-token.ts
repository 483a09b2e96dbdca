/**
 * Signed form tokens (GET /v1/form-token): the element asks for one when it renders, the next one is
 * fetched as soon as a consent takes the one held (a token is good for one consent), and a fresh one
 * before it expires, so a consent never waits for its token. A collector that issues none answers
 * 204 and consents go without; one out of reach is asked again at the next send.
 */
/** GET /v1/form-token's answer (shared/notice-api.ts); nothing with tokens off. */
type Answer = { token?: string; expiresInMs?: number };
/** A token asked for: good until `until` (local clock), taken by the consent `used` (its idempotencyKey), or `none` issued. */
type Held = { t: Promise<string | undefined>; until: number; used?: string; none?: boolean };

const held = new Map<string, Held>();

/** The token for the collector at `base`, for the consent `key` (none: asked ahead). */
export function formToken(base: string, key?: string): Promise<string | undefined> {
  let h = held.get(base);
  if (!h || Date.now() > h.until || (h.used && h.used != key)) {
    const next = (h = { until: Infinity } as Held);
    next.t = fetch(`${base}/v1/form-token?origin=${encodeURIComponent(location.origin)}`, { credentials: 'omit' })
      .then((r): Promise<Answer> | Answer => (r.status == 200 ? r.json() : {}))
      .then(
        ({ token, expiresInMs }) => {
          if (!token || !expiresInMs) next.none = true;
          else {
            // A margin before it expires; the timer fetches the next one earlier (a sleeping tab's may fire late).
            next.until = Date.now() + expiresInMs * 0.9;
            setTimeout(() => {
              if (held.get(base) != next || next.used) return;
              dropToken(base);
              void formToken(base);
            }, expiresInMs * 0.8);
          }
          return token;
        },
        () => void (held.get(base) == next && dropToken(base)),
      );
    held.set(base, next);
  }
  if (key && !h.used && !h.none) {
    h.used = key;
    void formToken(base); // the next consent's, fetched now
  }
  return h.t;
}

/** Forgets the token of `base` (the collector refused it): the next send asks for another. */
export const dropToken = (base: string): boolean => held.delete(base);
