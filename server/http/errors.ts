import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody } from '../../shared/consent-body.ts';
import type { FieldIssue } from '../../shared/issues.ts';

/** The error codes of the collector's answers, one per kind of refusal. */
export type ErrorCode =
  | 'invalid-json'
  | 'invalid-consent'
  | 'unsupported-media-type'
  | 'body-too-large'
  | 'body-unreadable'
  | 'origin-not-allowed'
  | 'rate-limited'
  | 'store-unavailable'
  | 'idempotency-key-reused'
  | 'not-found'
  | 'method-not-allowed'
  | 'internal';

/** The 409 of an idempotency key sent again with other records (the store refused to store them). */
export function idempotencyKeyReused(c: Context): Response {
  return errorResponse(c, 409, 'idempotency-key-reused', 'this idempotencyKey was already used for different records; nothing was stored. Use a new key for a new consent', [
    { path: 'idempotencyKey', message: 'already used for different records: a key stands for one set of records' },
  ]);
}

/** `{"error": {"code", "message", "issues"?}}`, the one error shape of docs/contract.md. */
export function errorResponse(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string, issues?: FieldIssue[]): Response {
  const body: ErrorBody = { error: issues ? { code, message, issues } : { code, message } };
  return c.json(body, status);
}
