import { z } from 'zod';
import { unmetRecipientNeed } from './channel-agreement.ts';
import { channelSchema, recipientTypeSchema, registrySourceSchema, statusSchema } from './enums.ts';
import { iysRecordShape, turkeyTimeSchema } from './iys-record.ts';
import { normaliseRecipient } from './recipient.ts';

/** iletiMerkezi refuses lists longer than this with 475. */
export const MAX_BATCH = 5000;

/** `request.authentication`, the same in every call. */
const authenticationSchema = z.object({
  key: z.string().min(1),
  hash: z.string().min(1),
});

const brandCodeSchema = z.union([z.string().min(1), z.number().int().positive()]);

/** The request body of POST /v1/consent/create/json. */
export const consentCreateRequestSchema = z.object({
  request: z.object({
    authentication: authenticationSchema,
    consent: z.object({
      brandCode: brandCodeSchema,
      list: z.array(iysRecordShape).min(1),
    }),
  }),
});
export type ConsentCreateRequest = z.infer<typeof consentCreateRequestSchema>;

/** `response.status` of every answer of the API: the code in the body is the one to trust. */
const answerStatusSchema = z.object({
  code: z.coerce.number().int(),
  message: z.string(),
});

/** Every answer of consent/create: `response.status.code` and `.message`. */
export const consentCreateResponseSchema = z.object({
  response: z.object({ status: answerStatusSchema }),
});
export type ConsentCreateResponse = z.infer<typeof consentCreateResponseSchema>;

const showKeyShape = z.object({
  recipient: iysRecordShape.shape.recipient,
  recipientType: recipientTypeSchema,
  type: channelSchema,
});

// iletiMerkezi answers a query it cannot validate with 422, the same code as "no record": a
// recipient that is not normalised or does not fit the channel must never leave the process.
function checkShowKey(q: z.infer<typeof showKeyShape>, ctx: z.core.$RefinementCtx<z.infer<typeof showKeyShape>>): void {
  const n = normaliseRecipient(q.recipient);
  if (!n.ok || n.value !== q.recipient) {
    ctx.addIssue({ code: 'custom', path: ['recipient'], message: 'must be a normalised phone (+90XXXXXXXXXX) or a lower-case e-mail address' });
    return;
  }
  const need = unmetRecipientNeed(q.type, n);
  if (need) ctx.addIssue({ code: 'custom', path: ['recipient'], message: `${q.type} needs ${need === 'email' ? 'an e-mail address' : `a ${need} number`}` });
}

/** One key to read back: recipient (normalised) + recipientType + type; the brand is the account's. */
export const consentShowQuerySchema = showKeyShape.superRefine(checkShowKey);
export type ConsentShowQuery = z.infer<typeof consentShowQuerySchema>;

/** The request body of POST /v1/consent/show/json: one recipient, one recipient type, one channel. */
export const consentShowRequestSchema = z.object({
  request: z.object({
    authentication: authenticationSchema,
    consent: showKeyShape.extend({ brandCode: brandCodeSchema }).superRefine(checkShowKey),
  }),
});
export type ConsentShowRequest = z.infer<typeof consentShowRequestSchema>;

/**
 * İYS's record of one key as consent/show gives it, read tolerantly: status, source and consentDate
 * are required; the key's own fields are optional (checked against the query when present); every
 * other field (creationDate, transactionId, retailer fields…) is kept as it came.
 */
export const shownConsentSchema = z.looseObject({
  status: statusSchema,
  source: registrySourceSchema,
  consentDate: turkeyTimeSchema,
  recipient: z.string().optional(),
  recipientType: recipientTypeSchema.optional(),
  type: channelSchema.optional(),
});
export type ShownConsentRecord = z.infer<typeof shownConsentSchema>;

/**
 * Every answer of consent/show: `response.status`, and with code 200 `response.consent`: one record
 * (shownConsentSchema), a list of at most one, or an empty list for "no record" (no record of that
 * type under the brand, or a brand code İYS does not know). The consent is read apart from the
 * status, so a record that cannot be read never hides the code.
 */
export const consentShowResponseSchema = z.object({
  response: z.object({ status: answerStatusSchema, consent: z.unknown().optional() }),
});
export type ConsentShowResponse = z.infer<typeof consentShowResponseSchema>;

/** The messages of the API document, by code. */
export const API_MESSAGES = {
  200: 'İşlem başarılı',
  401: 'Üyelik bilgileri hatalı',
  403: 'Aktif abonelik bulunamadı',
  405: 'Aylık kota aşıldı',
  422: 'İstekte gönderilen bazı değerler doğrulanamadı',
  475: 'Alıcı sayısı 5000 kişiyi geçemez',
} as const;
