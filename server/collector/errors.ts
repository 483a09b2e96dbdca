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
  | 'not-found'
  | 'internal';

/** `{"error": {"code", "message", "issues"?}}`, the one error shape of contract.md. */
export function errorResponse(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string, issues?: FieldIssue[]): Response {
  const body: ErrorBody = { error: issues ? { code, message, issues } : { code, message } };
  return c.json(body, status);
}
