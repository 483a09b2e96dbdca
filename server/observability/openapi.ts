import { Hono } from 'hono';
import { z } from 'zod';
import { acceptedSchema, consentBodySchema, errorBodySchema } from '../../shared/consent-body.ts';
import { batchRequestSchema, consentReceiptSchema, recipientRecordsSchema } from '../../shared/admin-api.ts';
import { CONSOLE_SCHEMAS, consolePaths } from './openapi-console.ts';
import { PROOF_SCHEMAS, proofPaths } from './openapi-proof.ts';

/**
 * /openapi.json, an OpenAPI 3.1 document generated with zod's own z.toJSONSchema from the very
 * schemas the endpoints validate with (JSON Schema 2020-12 is OpenAPI 3.1's schema dialect).
 * Request bodies use the schemas' input side (fields with defaults are optional), answers their output side.
 */

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ 'application/json': { schema: ref(name) } });
const problem = (description: string) => ({ description, content: json('Error') });

const adminErrors = {
  '401': problem('No admin token, or a wrong one'),
  '403': problem('The admin endpoints are switched off: IYS_ADMIN_TOKEN is not set'),
  '429': problem('Too many failed admin logins from this address'),
};

export function buildOpenApi(opts: { version?: string; serverUrl?: string } = {}) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'iys-consent collector',
      version: opts.version ?? '0.1.0',
      description: 'Collects consent for commercial electronic messages and registers it with İYS through iletiMerkezi.',
    },
    ...(opts.serverUrl ? { servers: [{ url: opts.serverUrl }] } : {}),
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'IYS_ADMIN_TOKEN' } },
      schemas: {
        ConsentBody: schemaOf(consentBodySchema, 'input'),
        BatchRequest: schemaOf(batchRequestSchema, 'input'),
        Accepted: schemaOf(acceptedSchema, 'output'),
        Error: schemaOf(errorBodySchema, 'output'),
        RecipientRecords: schemaOf(recipientRecordsSchema, 'output'),
        ConsentReceipt: schemaOf(consentReceiptSchema, 'output'),
        ...Object.fromEntries(Object.entries({ ...CONSOLE_SCHEMAS, ...PROOF_SCHEMAS }).map(([name, { schema, io }]) => [name, schemaOf(schema, io)])),
      },
    },
    paths: {
      '/v1/consents': {
        post: {
          operationId: 'postConsent',
          summary: 'Record a consent (the widget posts here); one İYS record per channel',
          requestBody: { required: true, content: { ...json('ConsentBody'), 'text/plain': { schema: ref('ConsentBody') } } },
          responses: {
            '202': { description: 'Stored durably; registration with İYS follows', content: json('Accepted') },
            '400': problem('Not JSON'),
            '403': problem('Origin not allowed; with form tokens on, a missing, invalid, expired or reused token (form-token-missing, -invalid, -expired, -reused); a post without Origin where IYS_ALLOW_NO_ORIGIN is off (origin-required)'),
            '413': problem('Body over the limit'),
            '422': problem('A field is wrong; issues name it (verification-off: verify asked of a collector without IYS_SMS_SENDER; unknown-notice: the text is not a registered one, under IYS_NOTICE_POLICY=require)'),
            '429': problem('Rate-limited; with verify, a cap on codes reached: sms-cap-number, sms-cap-ip, sms-cap-global, sms-cap-daily'),
            '503': problem('The ledger is unavailable, or (sms-unavailable) the verification code could not be sent'),
          },
        },
        options: {
          operationId: 'preflightConsent',
          summary: 'CORS preflight: answered for the origins in IYS_ALLOWED_ORIGINS',
          responses: { '204': { description: 'Allowed origin' }, '403': problem('Origin not allowed') },
        },
        get: {
          operationId: 'getConsents',
          summary: 'Every record of one recipient, with state and evidence',
          security: [{ adminToken: [] }],
          parameters: [
            { name: 'recipient', in: 'query', required: true, description: 'A phone number in any accepted form, or an e-mail address', schema: { type: 'string' } },
            {
              name: 'verify', in: 'query', required: false, schema: { type: 'string', enum: ['0', '1'] },
              description: "1: read İYS's current view of each recipient type and channel first (read-back); differences become observed records",
            },
          ],
          responses: {
            '200': { description: 'The records, oldest first', content: json('RecipientRecords') },
            '409': problem('verify=1 while read-back is switched off (IYS_READBACK=0)'),
            '422': problem('The recipient is not a phone number or e-mail address, or verify is not 0 or 1'),
            ...adminErrors,
          },
        },
      },
      '/v1/verifications/{id}': {
        post: {
          operationId: 'postVerificationCode',
          summary: 'The SMS code the person typed, for a consent posted with verify "sms"; the right one makes its records pending',
          parameters: [{ name: 'id', in: 'path', required: true, description: 'verification.id of the 202 answer', schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { code: { type: 'string', pattern: '^\\d{6}$' } }, required: ['code'] } } } },
          responses: {
            '200': { description: 'Verified: the records are pending for İYS', content: json('Accepted') },
            '400': problem('Not JSON'),
            '403': problem('Origin not allowed'),
            '404': problem('No such verification (verification-not-found)'),
            '410': problem('Ended: verification-expired, verification-locked (too many wrong codes) or verification-ended; nothing was registered'),
            '422': problem('Not 6 digits (invalid-body), or not the code sent (verification-code-wrong, with the tries left)'),
            '429': problem('Rate-limited'),
          },
        },
        options: {
          operationId: 'preflightVerificationCode',
          summary: 'CORS preflight: answered for the origins in IYS_ALLOWED_ORIGINS',
          responses: { '204': { description: 'Allowed origin' }, '403': problem('Origin not allowed') },
        },
      },
      '/v1/consents/batch': {
        post: {
          operationId: 'postConsentBatch',
          summary: 'Server-to-server records of any HS_ source; all validated before any is stored',
          security: [{ adminToken: [] }],
          requestBody: { required: true, content: json('BatchRequest') },
          responses: {
            '202': { description: 'All stored', content: json('Accepted') },
            '400': problem('Not JSON'),
            '413': problem('Body over the limit'),
            '422': problem('Some records are bad: issues name each by index and field; nothing was stored'),
            ...adminErrors,
          },
        },
      },
      '/v1/export': {
        get: {
          operationId: 'exportLedger',
          summary: 'The audit ledger with evidence, streamed, one consent receipt per record',
          security: [{ adminToken: [] }],
          parameters: [
            { name: 'from', in: 'query', required: false, description: 'Received at or after: ISO 8601 with a zone, YYYY-MM-DD, or Turkey time YYYY-MM-DD HH:MM:SS', schema: { type: 'string' } },
            { name: 'to', in: 'query', required: false, description: 'Received before; same forms as from', schema: { type: 'string' } },
            { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['ndjson', 'csv'], default: 'ndjson' } },
          ],
          responses: {
            '200': {
              description: 'One receipt a line (NDJSON), or CSV with a header row',
              content: { 'application/x-ndjson': { schema: ref('ConsentReceipt') }, 'text/csv': { schema: { type: 'string' } } },
            },
            '422': problem('from, to or format is unreadable'),
            ...adminErrors,
          },
        },
      },
      '/healthz': {
        get: {
          operationId: 'health',
          summary: 'Readiness: can the collector durably accept a consent?',
          responses: {
            '200': { description: 'It can: {"status":"ok"}, or {"status":"degraded","reasons":[…]} for İYS-side problems (sending paused, iletiMerkezi unreachable, records near their deadline)' },
            '503': { description: 'It cannot (the ledger cannot write): {"status":"unavailable","reasons":[…]}' },
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          summary: 'Prometheus text exposition',
          responses: { '200': { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/iys-consent.js': {
        get: {
          operationId: 'widget',
          summary: 'The <iys-consent> widget bundle, one self-contained ES module',
          responses: { '200': { description: 'JavaScript', content: { 'text/javascript': { schema: { type: 'string' } } } } },
        },
      },
      '/iys-consent-verify.js': {
        get: {
          operationId: 'widgetVerifyStep',
          summary: 'The code step of <iys-consent verify="sms">, which the widget imports only when a consent awaits its SMS code',
          responses: { '200': { description: 'JavaScript', content: { 'text/javascript': { schema: { type: 'string' } } } } },
        },
      },
      ...consolePaths({ json, problem, adminErrors }),
      ...proofPaths({ json, problem, adminErrors }),
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApi>;

export function openApiRoutes(opts: { version?: string } = {}): Hono {
  // Built once: the schemas do not change while the process runs.
  const doc = buildOpenApi(opts);
  return new Hono().get('/openapi.json', (c) => c.json(doc));
}
