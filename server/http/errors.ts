import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody } from '../../shared/consent-body.ts';
import type { FieldIssue } from '../../shared/issues.ts';

/**
 * Every error code the collector answers with, one per kind of refusal, for every endpoint: the
 * public consent route, the admin endpoints, the widget route, the demo's and the sandbox's controls.
 */
export const ERROR_CODES = [
  // Any endpoint reading a body
  'invalid-json',
  'body-too-large',
  'body-unreadable',
  // POST /v1/consents
  'invalid-consent',
  'unsupported-media-type',
  'origin-not-allowed',
  'rate-limited',
  // The SMS code double opt-in (POST /v1/consents with verify, POST /v1/verifications/{id})
  'verification-off',
  'sms-cap-number',
  'sms-cap-ip',
  'sms-cap-global',
  'sms-cap-daily',
  'sms-unavailable',
  'verification-not-found',
  'verification-code-wrong',
  'verification-expired',
  'verification-locked',
  'verification-ended',
  // The notice registry (IYS_NOTICE_POLICY=require; registering a text)
  'unknown-notice',
  'notice-immutable',
  // Signed form tokens (IYS_FORM_TOKEN_SECRET) and posts without Origin (IYS_ALLOW_NO_ORIGIN)
  'form-token-missing',
  'form-token-invalid',
  'form-token-expired',
  'form-token-reused',
  'origin-required',
  // Storing (consents and batches)
  'store-unavailable',
  'idempotency-key-reused',
  // The admin endpoints
  'admin-disabled',
  'unauthorized',
  'too-many-failures',
  'invalid-body',
  'invalid-records',
  'invalid-query',
  // The console's operations
  'not-requeueable',
  'requeue-refused',
  'report-changed',
  'sending-unavailable',
  // The lookup's verify=1 with read-back switched off (IYS_READBACK=0)
  'readback-off',
  // The demo's misbehave switch and the sandbox's controls
  'invalid-mode',
  'invalid-controls',
  'invalid-change',
  'change-refused',
  // Any path
  'not-found',
  'method-not-allowed',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** `{"error": {"code", "message", "issues"?}}`, the one error shape of docs/contract.md: every refusal is built here. */
export function errorResponse(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string, issues?: FieldIssue[]): Response {
  const body: ErrorBody = { error: issues ? { code, message, issues } : { code, message } };
  return c.json(body, status);
}

/** The 409 of an idempotency key sent again with other records (the store refused to store them). */
export function idempotencyKeyReused(c: Context): Response {
  return errorResponse(c, 409, 'idempotency-key-reused', 'this idempotencyKey was already used for different records; nothing was stored. Use a new key for a new consent', [
    { path: 'idempotencyKey', message: 'already used for different records: a key stands for one set of records' },
  ]);
}

/**
 * The 503 of a ledger that failed, or did not answer in time, while storing; `what` is what to send
 * again ("consent", "batch"). A write the database completed after the collector gave up on it is
 * stored, so the same idempotency key is what makes the retry safe.
 */
export function storeUnavailable(c: Context, what: string): Response {
  c.header('Retry-After', '5');
  return errorResponse(c, 503, 'store-unavailable', `the consent ledger is unavailable right now; please send the same ${what} again shortly, with the same idempotencyKey: it is never stored twice`);
}
