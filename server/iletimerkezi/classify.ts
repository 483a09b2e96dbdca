import { consentCreateResponseSchema } from '../../shared/iletimerkezi.ts';
import type { SendOutcome } from './outcome.ts';

/** What happened to one request, as the transport saw it; the input of classify(). */
export type Exchange =
  | {
      kind: 'answered';
      httpStatus: number;
      /** The whole response body as text (undefined if it could not be read as text). */
      bodyText: string | undefined;
      /** The raw Retry-After header, if any. */
      retryAfter?: string | undefined;
      nowMs: number;
    }
  | {
      kind: 'failed';
      error: unknown;
      /** True once the transport reported the request body fully written to the socket. */
      requestSent: boolean;
      /** Set when the failure came after the response headers (a stalled or cut body). */
      httpStatus?: number | undefined;
    };

/** Gateway statuses: a proxy forwarded the request and got no answer (502) or none in time (504). */
const GATEWAY_LOST = new Set([502, 504]);

/** Errors that can only happen once the request is out, whatever the transport reported. */
const AFTER_SEND_ERRORS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Errors that prove nothing reached the service: the connection never opened. */
const BEFORE_SEND_ERRORS = new Set([
  'UND_ERR_CONNECT_TIMEOUT', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
]);

/**
 * Reduces one exchange with consent/create to a SendOutcome. The code in the JSON body decides
 * first, the HTTP status second; an HTTP 200 without a readable body code is not an acceptance.
 */
export function classify(exchange: Exchange): SendOutcome {
  return exchange.kind === 'answered' ? classifyAnswer(exchange) : classifyFailure(exchange);
}

function classifyAnswer(a: Extract<Exchange, { kind: 'answered' }>): SendOutcome {
  const body = parseBody(a.bodyText);
  const retryAfterMs = parseRetryAfter(a.retryAfter, a.nowMs);
  if (body) return byCode(body.code, body.message, retryAfterMs);
  const excerpt = excerptOf(a.bodyText);
  const why = `HTTP ${a.httpStatus} without a readable response.status.code${excerpt ? `: ${excerpt}` : ''}`;
  // An unreadable 200 is never an acceptance, but nor is it proof that nothing was stored: the
  // service may have stored the request and its answer been mangled on the way (a proxy, a cut
  // body). A 502/504 comes from a gateway that forwarded the request and lost or waited out the
  // answer: same doubt. 500/503/429 are the service's own refusals before storing.
  if (a.httpStatus === 200 || GATEWAY_LOST.has(a.httpStatus)) {
    return { kind: 'ambiguous', code: null, message: `no readable answer, the request may have been stored: ${why}` };
  }
  return byCode(a.httpStatus, why, retryAfterMs);
}

function byCode(code: number, message: string, retryAfterMs: number | undefined): SendOutcome {
  switch (code) {
    case 200:
      return { kind: 'accepted', code, message };
    case 422:
      return { kind: 'records-refused', code, message };
    case 475:
      return { kind: 'too-many', code, message };
    case 401:
    case 403:
    case 405:
      return { kind: 'account', code, message };
    default:
      // 5xx and 429 are the expected ones; an undocumented code (400, 404, …) is not proof
      // that the records are bad either, so it is kept and retried later, never dropped.
      return withRetry(
        { kind: 'transient', code, message: code === 429 || code >= 500 ? message : `unexpected code ${code}: ${message}` },
        retryAfterMs,
      );
  }
}

function classifyFailure(f: Extract<Exchange, { kind: 'failed' }>): SendOutcome {
  const code = errorCode(f.error);
  const text = describeError(f.error) + (f.httpStatus !== undefined ? ` (after HTTP ${f.httpStatus} headers)` : '');
  const sent = !BEFORE_SEND_ERRORS.has(code) && (f.requestSent || AFTER_SEND_ERRORS.has(code));
  return sent
    ? { kind: 'ambiguous', code: null, message: `no answer after the request was sent, it may have been stored: ${text}` }
    : { kind: 'transient', code: null, message: `request not sent: ${text}` };
}

function withRetry(outcome: Extract<SendOutcome, { kind: 'transient' }>, retryAfterMs: number | undefined): SendOutcome {
  return retryAfterMs === undefined ? outcome : { ...outcome, retryAfterMs };
}

function parseBody(text: string | undefined): { code: number; message: string } | undefined {
  const parsed = consentCreateResponseSchema.safeParse(parseJson(text));
  return parsed.success ? parsed.data.response.status : undefined;
}

/** The body as JSON; undefined when empty or not JSON. */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The start of an answer, on one line, to keep with an outcome that could not read it. */
export function excerptOf(text: string | undefined): string {
  return (text ?? '').slice(0, 200).replace(/\s+/g, ' ').trim();
}

/** Retry-After as delta-seconds or an HTTP-date, in milliseconds from nowMs; undefined if absent or unreadable. */
export function parseRetryAfter(value: string | undefined | null, nowMs: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined; // "-5", "1.5": neither form
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = errorCode(error);
    return `${error.name}${code ? ` ${code}` : ''}: ${error.message}`;
  }
  return String(error);
}
