import type { z } from 'zod';
import { lookupBodySchema, noticeMatchesSchema, overviewSchema, recipientViewSchema, reportSchema, requeuedSchema, revealSchema, sendingAnswerSchema } from '../../shared/console-api.ts';

/**
 * The console's endpoints in /openapi.json (docs/console.md): the schemas they answer with, and
 * their paths. The console's own files under /admin/ are listed too, as the widget's file is.
 */

export const CONSOLE_SCHEMAS: Record<string, { schema: z.ZodType; io: 'input' | 'output' }> = {
  Overview: { schema: overviewSchema, io: 'output' },
  LookupBody: { schema: lookupBodySchema, io: 'input' },
  RecipientView: { schema: recipientViewSchema, io: 'output' },
  Reveal: { schema: revealSchema, io: 'output' },
  Report: { schema: reportSchema, io: 'output' },
  Requeued: { schema: requeuedSchema, io: 'output' },
  SendingAnswer: { schema: sendingAnswerSchema, io: 'output' },
  NoticeMatches: { schema: noticeMatchesSchema, io: 'output' },
};

type Json = Record<string, unknown>;

export function consolePaths(tools: { json: (name: string) => Json; problem: (description: string) => Json; adminErrors: Json }): Record<string, Json> {
  const { json, problem, adminErrors } = tools;
  const admin = { security: [{ adminToken: [] }] };
  const ref = { name: 'ref', in: 'path', required: true, description: 'The id of any record of the recipient', schema: { type: 'string' } };
  const ok = (description: string, name: string) => ({ description, content: json(name) });
  const sending = (operationId: string, summary: string) => ({
    post: { operationId, summary, ...admin, responses: { '200': ok('The sending state', 'SendingAnswer'), '503': problem('The dispatcher is starting'), ...adminErrors } },
  });
  return {
    '/v1/admin/overview': {
      get: {
        operationId: 'consoleOverview', summary: "The dashboard: counts by state, the pending records closest to their deadline (masked), sending, requests per hour", ...admin,
        parameters: [{ name: 'hours', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 168, default: 24 } }],
        responses: { '200': ok('The overview', 'Overview'), '422': problem('hours is wrong'), ...adminErrors },
      },
    },
    '/v1/admin/notice-matches': {
      get: {
        operationId: 'consoleNoticeMatches', summary: "How the records' notices compared with the notice registry: matched records per registered version, and the rest", ...admin,
        responses: { '200': ok('The counts', 'NoticeMatches'), ...adminErrors },
      },
    },
    '/v1/admin/lookup': {
      post: {
        operationId: 'consoleLookup', summary: 'Every record of one recipient, found by any form of the number or address (kept out of the URL)', ...admin,
        requestBody: { required: true, content: json('LookupBody') },
        responses: { '200': ok('The recipient, masked', 'RecipientView'), '404': problem('No record of this recipient'), '422': problem('Not a phone number or e-mail address'), ...adminErrors },
      },
    },
    '/v1/admin/recipients/{ref}': {
      get: {
        operationId: 'consoleRecipient', summary: 'Every record of the recipient of record `ref`', ...admin, parameters: [ref],
        responses: { '200': ok('The recipient, masked', 'RecipientView'), '404': problem('No such record'), ...adminErrors },
      },
    },
    '/v1/admin/recipients/{ref}/reveal': {
      post: {
        operationId: 'consoleReveal', summary: 'The full recipient; every reveal is logged (masked, with the request id and the address)', ...admin, parameters: [ref],
        responses: { '200': ok('The full values', 'Reveal'), '404': problem('No such record'), ...adminErrors },
      },
    },
    '/v1/admin/recipients/{ref}/report': {
      get: {
        operationId: 'consoleReport', summary: "The audit report's data and the SHA-256 of its canonical JSON (RFC 8785)", ...admin, parameters: [ref],
        responses: { '200': ok('The report', 'Report'), '404': problem('No such record'), ...adminErrors },
      },
    },
    '/v1/admin/recipients/{ref}/report.pdf': {
      get: {
        operationId: 'consoleReportPdf', summary: 'The audit report as a PDF, its canonical JSON attached', ...admin,
        parameters: [
          ref,
          { name: 'lang', in: 'query', required: false, schema: { type: 'string', enum: ['tr', 'en'], default: 'tr' } },
          { name: 'sha256', in: 'query', required: false, description: 'Make it only if the report still has this hash', schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
        ],
        responses: {
          '200': { description: 'The PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
          '404': problem('No such record'), '409': problem('The report changed since that hash'), '422': problem('lang or sha256 is wrong'), ...adminErrors,
        },
      },
    },
    '/v1/admin/records/{id}/requeue': {
      post: {
        operationId: 'consoleRequeue', summary: 'A new pending record standing for a rejected or expired one (never an edit of it)', ...admin,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '201': ok('Re-queued', 'Requeued'), '404': problem('No such record'),
          '409': problem('Not rejected or expired, or already re-queued'), '422': problem('İYS rules or the 72-hour deadline make it unsendable'), ...adminErrors,
        },
      },
    },
    '/v1/admin/sending': {
      get: { operationId: 'consoleSending', summary: "The dispatcher's sending state", ...admin, responses: { '200': ok('The sending state', 'SendingAnswer'), '503': problem('The dispatcher is starting'), ...adminErrors } },
    },
    '/v1/admin/sending/pause': sending('consolePause', "The operator's pause: nothing is sent, not even a probe, until resumed"),
    '/v1/admin/sending/resume': sending('consoleResume', "Ends the operator's pause"),
    '/admin': { get: { operationId: 'consoleRedirect', summary: 'Redirects to /admin/', responses: { '301': { description: 'To /admin/' } } } },
    '/admin/{file}': {
      get: {
        operationId: 'consoleFiles', summary: 'The compliance console (index.html at /admin/) and its files, under a strict CSP',
        parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'A file of the console', content: { 'text/html': { schema: { type: 'string' } } } }, '404': problem('No such file, or the console is not built') },
      },
    },
  };
}
