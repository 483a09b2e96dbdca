import { z } from 'zod';
import { UNSTORABLE_MESSAGE, isStorableText } from './storable-text.ts';
import { consentBodySchema } from './consent-body.ts';
import { noticeText } from './notice-text.ts';

/**
 * The shapes of issue 16's proof endpoints, for the routes and /openapi.json: the notice registry
 * (POST/GET /v1/admin/notices, GET /v1/notices/{version}) and the signed form tokens (GET /v1/form-token).
 */

const noticeShape = consentBodySchema.shape.notice.unwrap().shape;
export const noticeVersionSchema = noticeShape.version;
export const noticeLangSchema = z.enum(['tr', 'en']);

/** A text is registered once per version and language; 20,000 characters holds any consent notice. */
export const noticeRegistrationSchema = z.object({
  version: noticeVersionSchema,
  lang: noticeLangSchema,
  text: z.string().max(20_000).refine(isStorableText, UNSTORABLE_MESSAGE).refine((t) => noticeText(t) !== '', 'must not be empty'),
}).strict();
export type NoticeRegistration = z.infer<typeof noticeRegistrationSchema>;

export const registeredNoticeSchema = z.object({
  version: z.string(),
  lang: z.string(),
  /** Exactly as registered. */
  text: z.string(),
  /** `sha256:` + hex of the text with its whitespace collapsed: what the widget posts as `notice.hash`. */
  hash: z.string(),
  registeredAt: z.iso.datetime(),
});
export type RegisteredNoticeView = z.infer<typeof registeredNoticeSchema>;

/** GET /v1/admin/notices/{version}: every language of one version. */
export const noticeVersionViewSchema = z.object({ version: z.string(), notices: z.array(registeredNoticeSchema) });
/** GET /v1/admin/notices: every registered text, without the texts. */
export const noticeListSchema = z.object({ notices: z.array(registeredNoticeSchema.omit({ text: true })) });

/** GET /v1/notices/{version}?lang=… (public): the text a widget shows, and its hash. */
export const publicNoticeQuerySchema = z.object({ lang: noticeLangSchema.default('tr') });
export const publicNoticeSchema = registeredNoticeSchema.omit({ registeredAt: true });

/** GET /v1/form-token: a signed token for one consent from this origin, and how long it stays good. */
export const formTokenSchema = z.object({ token: z.string(), expiresInMs: z.number().int() });
export type FormTokenAnswer = z.infer<typeof formTokenSchema>;
