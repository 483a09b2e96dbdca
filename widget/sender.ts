/**
 * Delivers consents to the collector. Every consent goes into a small outbox in localStorage
 * before it is posted and leaves it only when the collector has answered for it, so a reload,
 * a navigation or an offline moment cannot lose it; a resend carries the same idempotencyKey,
 * so the collector makes the records once, and a later sentAt, so the collector can tell the
 * consent's moment from the moment it arrives.
 */
import type { ConsentBodyInput } from '../shared/consent-body.ts';
import type { PendingVerification } from '../shared/verification.ts';
import { turkeyTime } from './turkey-now.ts';
import { dropToken, formToken } from './form-token.ts';

export type ConsentPost = ConsentBodyInput & { idempotencyKey: string };
/**
 * ids when the collector took it; `v` when it holds it until the SMS code (verify "sms"); else why
 * not (`network`, an error code, `http-<status>`) and whether it stays queued for another try.
 */
/** `after`: the refusal's Retry-After, in seconds (an SMS cap's wait), for the page to tell the person. */
export type Outcome = { ids?: string[]; v?: PendingVerification; reason?: string; retrying?: boolean; after?: number };
export type Entry = { url: string; body: ConsentPost; at: number };

export const OUTBOX_KEY = 'iys-consent-outbox';
// The collector would replace a consentDate this old with its receive time: the moment is lost.
const MAX_AGE_MS = 72 * 3600_000;
/**
 * Refusals the page can act on, reported by the collector's error code (`origin-not-allowed`: the
 * site is missing from IYS_ALLOWED_ORIGINS; `unsupported-media-type`; `invalid-consent`).
 */
const FINAL = [403, 415, 422];

const listeners = new Map<string, (o: Outcome) => void>();
const inFlight = new Set<string>();
/** Timed retries so far, per consent: one that keeps failing must not use up another's. */
const retries = new Map<string, number>();

/** The entries not yet acknowledged. */
export function pending(): Entry[] {
  try {
    return (JSON.parse(localStorage[OUTBOX_KEY] || '[]') as Entry[]).filter((e) => Date.now() - e.at < MAX_AGE_MS);
  } catch {
    return []; // storage switched off or blocked: the keepalive post still goes out
  }
}

function save(list: Entry[]): void {
  try {
    localStorage[OUTBOX_KEY] = JSON.stringify(list);
  } catch {
    /* storage full or blocked: the live post is all there is */
  }
}

/** Queues one consent and posts it at once; `onOutcome` hears every attempt made from this page. */
export function send(url: string, body: ConsentPost, onOutcome: (o: Outcome) => void): void {
  const entry = { url, body, at: Date.now() };
  listeners.set(body.idempotencyKey, onOutcome);
  // A consent held for its SMS code is nothing without the person there to type it: posted while they wait, never kept for later.
  if (!body.verify) save([...pending(), entry]);
  void post(entry);
}

/** Posts every queued consent not already on its way. */
export function flush(): void {
  pending().forEach(post);
}

async function post({ url, body }: Entry): Promise<void> {
  const key = body.idempotencyKey;
  if (inFlight.has(key)) return;
  inFlight.add(key);
  let outcome: Outcome;
  const base = url.slice(0, -12); // less '/v1/consents'
  try {
    const token = await formToken(base, key);
    const res = await fetch(url, {
      method: 'POST',
      // A string body goes as `text/plain;charset=UTF-8`: a "simple" request, so no CORS
      // preflight, which keepalive could not wait for anyway.
      // sentAt is this send's clock reading: with it the collector measures this clock's skew.
      body: JSON.stringify({ ...body, sentAt: turkeyTime(Date.now()), formToken: token }),
      keepalive: true,
      credentials: 'omit',
    });
    const { status } = res;
    const answer = await res.json().catch(() => ({}));
    const code = answer.error?.code;
    // A refused form token (expired while the device slept): another token, another try.
    const tokenRefused = /^form-token/.test(code);
    if (tokenRefused) dropToken(base);
    const retrying = !body.verify && (status == 429 || status > 499 || tokenRefused);
    // 2xx is done; any other 4xx would fail the same way again.
    if (!retrying) save(pending().filter((e) => e.body.idempotencyKey != key));
    outcome = res.ok ? { ids: answer.ids ?? [], v: answer.verification } : { reason: ((FINAL.includes(status) || body.verify) && code) || `http-${status}`, retrying, after: +res.headers.get('retry-after')! || undefined };
  } catch {
    outcome = { reason: 'network', retrying: !body.verify };
  }
  inFlight.delete(key);
  // A few quick retries; after that the next `online` event or page load sends it.
  const n = retries.get(key) ?? 0;
  if (!outcome.retrying) retries.delete(key);
  else if (n < 3) {
    retries.set(key, n + 1);
    setTimeout(flush, 3000 << n);
  }
  listeners.get(key)?.(outcome);
}

/**
 * Sends what an earlier page left behind once this page has loaded (the first read of localStorage
 * can take over 10 ms: the page and the checkboxes come first), and whenever the device comes back online.
 */
export function startOutbox(): void {
  addEventListener('online', () => {
    retries.clear();
    flush();
  });
  if (document.readyState == 'complete') setTimeout(flush);
  else addEventListener('load', flush);
}
