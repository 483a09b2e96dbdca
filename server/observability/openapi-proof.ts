import type { z } from 'zod';
import { formTokenSchema, noticeListSchema, noticeRegistrationSchema, noticeVersionViewSchema, publicNoticeSchema, registeredNoticeSchema } from '../../shared/notice-api.ts';

/** The notice registry's endpoints in /openapi.json (docs/contract.md): their schemas and paths. */

export const PROOF_SCHEMAS: Record<string, { schema: z.ZodType; io: 'input' | 'output' }> = {
  NoticeRegistration: { schema: noticeRegistrationSchema, io: 'input' },
  RegisteredNotice: { schema: registeredNoticeSchema, io: 'output' },
  NoticeVersion: { schema: noticeVersionViewSchema, io: 'output' },
  NoticeList: { schema: noticeListSchema, io: 'output' },
  PublicNotice: { schema: publicNoticeSchema, io: 'output' },
  FormToken: { schema: formTokenSchema, io: 'output' },
};

type Json = Record<string, unknown>;

export function proofPaths(tools: { json: (name: string) => Json; problem: (description: string) => Json; adminErrors: Json }): Record<string, Json> {
  const { json, problem, adminErrors } = tools;
  const admin = { security: [{ adminToken: [] }] };
  const version = { name: 'version', in: 'path', required: true, description: 'A notice version as registered', schema: { type: 'string' } };
  const ok = (description: string, name: string) => ({ description, content: json(name) });
  return {
    '/v1/admin/notices': {
      post: {
        operationId: 'registerNotice', summary: 'Register a consent text (version, language, exact text); immutable once registered', ...admin,
        requestBody: { required: true, content: json('NoticeRegistration') },
        responses: {
          '201': ok('Registered, with the hash a widget posts for it', 'RegisteredNotice'),
          '200': ok('Registered already with this very text', 'RegisteredNotice'),
          '400': problem('Not JSON'),
          '409': problem('The version and language are registered with another text (notice-immutable)'),
          '422': problem('A field is wrong'),
          ...adminErrors,
        },
      },
      get: { operationId: 'listNotices', summary: 'Every registered text: version, language, hash (without the texts)', ...admin, responses: { '200': ok('The registry', 'NoticeList'), ...adminErrors } },
    },
    '/v1/admin/notices/{version}': {
      get: {
        operationId: 'getNotice', summary: 'The full registered texts of one version, every language', ...admin, parameters: [version],
        responses: { '200': ok('The texts', 'NoticeVersion'), '404': problem('Not registered'), ...adminErrors },
      },
    },
    '/v1/notices/{version}': {
      get: {
        operationId: 'getPublicNotice', summary: 'A registered text for a widget to show (CORS like POST /v1/consents)',
        parameters: [version, { name: 'lang', in: 'query', required: false, schema: { type: 'string', enum: ['tr', 'en'], default: 'tr' } }],
        responses: { '200': ok('The text and its hash', 'PublicNotice'), '403': problem('Origin not allowed'), '404': problem('Not registered'), '422': problem('lang is wrong') },
      },
      options: { operationId: 'preflightNotice', summary: 'CORS preflight', responses: { '204': { description: 'Allowed origin' }, '403': problem('Origin not allowed') } },
    },
    '/v1/form-token': {
      get: {
        operationId: 'getFormToken', summary: 'A signed form token for one consent from the page\'s origin (CORS like POST /v1/consents)',
        parameters: [{ name: 'origin', in: 'query', required: false, description: "The page's origin, for a same-origin request (which carries no Origin header)", schema: { type: 'string' } }],
        responses: {
          '200': ok('The token and its lifetime (IYS_FORM_TOKEN_TTL_S)', 'FormToken'),
          '204': { description: 'Form tokens are off (no IYS_FORM_TOKEN_SECRET): post without one' },
          '403': problem('The origin is not allowed'),
        },
      },
      options: { operationId: 'preflightFormToken', summary: 'CORS preflight', responses: { '204': { description: 'Allowed origin' }, '403': problem('Origin not allowed') } },
    },
  };
}
