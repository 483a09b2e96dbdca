import { z } from 'zod';
import { CHANNELS, channelSchema, recipientTypeSchema, sourceSchema, statusSchema } from './enums.ts';
import { turkeyTimeSchema } from './iys-record.ts';
import { UNSTORABLE_MESSAGE, isStorableText } from './storable-text.ts';
import { pendingVerificationSchema, verifyMethodSchema } from './verification.ts';

/**
 * Free text from a client. Fields held to a pattern (dates, the notice hash, the idempotency key)
 * refuse a NUL or a lone surrogate by that pattern already.
 */
const text = () => z.string().refine(isStorableText, UNSTORABLE_MESSAGE);

/** What the widget (or any client) posts to POST /v1/consents. The recipient is raw: the collector normalises it. */
export const consentBodySchema = z
  .object({
    recipient: text().trim().min(1, 'is required').max(320),
    recipientType: recipientTypeSchema.default('BIREYSEL'),
    channels: z
      .array(channelSchema)
      .min(1, 'needs at least one of MESAJ, EPOSTA, ARAMA')
      .max(CHANNELS.length)
      .refine((c) => new Set(c).size === c.length, 'lists a channel twice'),
    status: statusSchema.default('ONAY'),
    consentDate: turkeyTimeSchema,
    /** The client's clock when it sent THIS request (a resend has a later one): lets the collector measure that clock's skew. */
    sentAt: turkeyTimeSchema.optional(),
    notice: z
      .object({
        version: text().min(1).max(100),
        hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256: followed by 64 hex digits').optional(),
        lang: z.enum(['tr', 'en']).optional(),
      })
      .optional(),
    pageUrl: z.url({ protocol: /^https?$/ }).max(2048).refine(isStorableText, UNSTORABLE_MESSAGE).optional(),
    idempotencyKey: z.string().min(8).max(128).regex(/^[\w.:-]+$/, 'may hold only letters, digits and . _ : -').optional(),
    widgetVersion: text().max(40).optional(),
    /** The signed form token of GET /v1/form-token (the widget sends it when the collector issues them). */
    formToken: z.string().max(200).optional(),
    /** Honeypot: a hidden field that people never fill. */
    website: text().max(2048).optional(),
    /** `sms`: hold the consent until the person types the code sent to the number (shared/verification.ts). */
    verify: verifyMethodSchema.optional(),
  })
  .strict();
export type ConsentBody = z.infer<typeof consentBodySchema>;
export type ConsentBodyInput = z.input<typeof consentBodySchema>;

/** One record of POST /v1/consents/batch (server-to-server, any HS_ source). Recipient raw. */
export const batchRecordSchema = z
  .object({
    recipient: text().trim().min(1, 'is required').max(320),
    recipientType: recipientTypeSchema.default('BIREYSEL'),
    type: channelSchema,
    status: statusSchema.default('ONAY'),
    source: sourceSchema,
    consentDate: turkeyTimeSchema,
  })
  .strict();
export type BatchRecord = z.infer<typeof batchRecordSchema>;


/**
 * The collector's answer to an accepted post: the records' ids, pending for İYS; or, for a consent
 * posted with `verify`, no records yet and the verification the person completes with the code.
 */
export const acceptedSchema = z.union([
  z.object({ ids: z.array(z.string()), state: z.literal('pending') }),
  z.object({ ids: z.array(z.string()).length(0), state: z.literal('awaiting-verification'), verification: pendingVerificationSchema }),
]);
export type Accepted = z.infer<typeof acceptedSchema>;

/** The collector's answer to bad input. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
