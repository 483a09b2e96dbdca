import { consentShowResponseSchema, shownConsentSchema, type ConsentShowQuery } from '../../shared/iletimerkezi.ts';
import { describeError, excerptOf, parseJson, parseRetryAfter, type Exchange } from './classify.ts';
import type { ShowOutcome } from './outcome.ts';

/** Fields of İYS's consent object that are read (the record and its key); every other one is kept as an extra. */
const READ_FIELDS = new Set(['status', 'source', 'consentDate', 'recipient', 'recipientType', 'type']);

/**
 * Reduces one exchange with consent/show to a ShowOutcome, never a throw. The code in the JSON body
 * decides first; the HTTP status alone may say "account" or "ask again", never "found" or "none":
 * both are claims about İYS that only a readable body can make.
 */
export function classifyShow(exchange: Exchange, query: ConsentShowQuery): ShowOutcome {
  if (exchange.kind === 'failed') {
    const after = exchange.httpStatus !== undefined ? ` (after HTTP ${exchange.httpStatus} headers)` : '';
    return { kind: 'transient', code: null, message: `no answer: ${describeError(exchange.error)}${after}` };
  }
  return classifyShowAnswer(exchange, query);
}

function classifyShowAnswer(a: Extract<Exchange, { kind: 'answered' }>, query: ConsentShowQuery): ShowOutcome {
  const retryAfterMs = parseRetryAfter(a.retryAfter, a.nowMs);
  const excerpt = excerptOf(a.bodyText);
  const parsed = consentShowResponseSchema.safeParse(parseJson(a.bodyText));
  if (!parsed.success) {
    const why = `HTTP ${a.httpStatus} without a readable response.status.code${excerpt ? `: ${excerpt}` : ''}`;
    if (a.httpStatus === 401 || a.httpStatus === 403) return { kind: 'account', code: a.httpStatus, message: why };
    if (isTransient(a.httpStatus)) return transient(a.httpStatus, why, retryAfterMs);
    return { kind: 'unreadable', code: a.httpStatus, message: why, excerpt };
  }
  const { code, message } = parsed.data.response.status;
  switch (code) {
    case 200:
      return readConsent(parsed.data.response.consent, message, query, excerpt);
    case 422:
      return { kind: 'none', code, message };
    case 401:
    case 403:
      return { kind: 'account', code, message };
    default:
      return isTransient(code)
        ? transient(code, message, retryAfterMs)
        : { kind: 'unreadable', code, message: `unexpected code ${code}: ${message}`, excerpt };
  }
}

/** A code-200 answer's `response.consent`: one record, a list of at most one, or `[]` for none. */
function readConsent(field: unknown, message: string, query: ConsentShowQuery, excerpt: string): ShowOutcome {
  const unreadable = (why: string): ShowOutcome => ({ kind: 'unreadable', code: 200, message: `code 200, but ${why}`, excerpt });
  if (field === undefined || field === null) return unreadable('no response.consent');
  const list: unknown[] = Array.isArray(field) ? field : [field];
  if (list.length === 0) return { kind: 'none', code: 200, message };
  if (list.length > 1) return unreadable(`response.consent holds ${list.length} records for one key`);
  const parsed = shownConsentSchema.safeParse(list[0]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return unreadable(`response.consent.${issue.path.join('.') || '(record)'}: ${issue.message}`);
  }
  const { status, source, consentDate, recipient, recipientType, type } = parsed.data;
  // An answer about another key would confirm or deny the wrong record: not an answer to this query.
  const other =
    (type !== undefined && type !== query.type && `type ${type}`) ||
    (recipientType !== undefined && recipientType !== query.recipientType && `recipientType ${recipientType}`) ||
    (recipient !== undefined && recipient.toLowerCase() !== query.recipient.toLowerCase() && 'another recipient');
  if (other) return unreadable(`the record is for ${other}, not the key asked`);
  const extras = Object.fromEntries(Object.entries(parsed.data).filter(([k]) => !READ_FIELDS.has(k)));
  return { kind: 'found', code: 200, message, consent: { status, source, consentDate, extras } };
}

/** 429 and every 5xx (a gateway's 502/504 too): a read changes nothing, so all of them mean "ask again". */
const isTransient = (code: number) => code === 429 || code >= 500;

function transient(code: number, message: string, retryAfterMs: number | undefined): ShowOutcome {
  return retryAfterMs === undefined ? { kind: 'transient', code, message } : { kind: 'transient', code, message, retryAfterMs };
}
