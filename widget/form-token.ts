/**
 * Signed form tokens (GET /v1/form-token): every element asks for one when it renders, a consent
 * takes the oldest good one the page holds and the next one is fetched at once (a token is good for
 * one consent), and a fresh one replaces a token before it expires, so a consent never waits for its
 * token. One token per element rendered: with two elements on a page, the second consent carries a
 * token from when the page was shown, not one fetched just after the first consent, so its age
 * (the collector's formTokenAgeMs) is the person's time on the page. A collector that issues none
 * answers 204 and consents go without; one out of reach is asked again at the next send.
 */
/** GET /v1/form-token's answer (shared/notice-api.ts); nothing with tokens off. */
type Answer = { token?: string; expiresInMs?: number };
/** A token asked for: good until `until` (local clock), or `none` issued. */
type Held = { t: Promise<string | undefined>; until: number; none?: boolean };

const held = new Map<string, Held[]>();

/** Forgets one token (-1 >>> 0 is past the end: nothing removed). */
const drop = (list: Held[], h: Held) => list.splice(list.indexOf(h) >>> 0, 1);

function ask(base: string, list: Held[]): Held {
  const next = { until: Infinity } as Held;
  next.t = fetch(`${base}/v1/form-token?origin=${encodeURIComponent(location.origin)}`, { credentials: 'omit' })
    .then((r): Promise<Answer> | Answer => (r.status == 200 ? r.json() : {}))
    .then(
      ({ token, expiresInMs }) => {
        if (!token || !expiresInMs) next.none = true;
        else {
          // A margin before it expires; the timer replaces it earlier (a sleeping tab's may fire late).
          next.until = Date.now() + expiresInMs * 0.9;
          setTimeout(() => drop(list, next)[0] && list.push(ask(base, list)), expiresInMs * 0.8);
        }
        return token;
      },
      () => void drop(list, next),
    );
  return next;
}

/** A token for the collector at `base`: without `key`, one more held for an element just rendered; with it, the one consent `key` takes. */
export function formToken(base: string, key?: string): Promise<string | undefined> {
  const list = held.get(base) ?? [];
  held.set(base, list);
  const h = (key && list.find((x) => Date.now() <= x.until)) || ask(base, list);
  if (!key || h.none) list.includes(h) || list.push(h);
  else {
    drop(list, h);
    list.push(ask(base, list)); // the next consent's, fetched now
  }
  return h.t;
}

/** Forgets the tokens of `base` (the collector refused one): the next send asks for another. */
export const dropToken = (base: string): boolean => held.delete(base);
