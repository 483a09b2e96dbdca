import { z } from 'zod';
import { channelSchema, recipientTypeSchema, recordStateSchema, registrySourceSchema, statusSchema } from './enums.ts';
import { batchRecordSchema, consentBodySchema } from './consent-body.ts';
import { turkeyTimeSchema } from './iys-record.ts';
import { verificationEvidenceSchema, verificationViewSchema } from './verification.ts';

/** Shapes of the admin endpoints (bearer IYS_ADMIN_TOKEN), for the routes and for /openapi.json. */

const isoInstant = z.iso.datetime();

/** The batch's optional idempotency key: the same rules as a consent's. A retried upload with it stores nothing twice. */
const batchIdempotencyKeySchema = consentBodySchema.shape.idempotencyKey;

/** POST /v1/consents/batch as documented; the route validates each record on its own to name bad ones by index. */
export const batchRequestSchema = z.object({ records: z.array(batchRecordSchema).min(1), idempotencyKey: batchIdempotencyKeySchema }).strict();

/** What the batch route parses first; each record is then checked on its own (batch-validate.ts). */
export const batchEnvelopeSchema = z.object({
  records: z.array(z.unknown()).min(1, 'needs at least one record'),
  idempotencyKey: batchIdempotencyKeySchema,
}).strict();

export const recipientQuerySchema = z.object({
  recipient: z.string().trim().min(1, 'is required').max(320),
  /** `1`: read İYS's current view first (read-back). */
  verify: z.enum(['0', '1'], { error: 'must be 0 or 1' }).optional(),
});

export const evidenceViewSchema = z.object({
  rawRecipient: z.string(),
  clientConsentDate: z.string().nullable(),
  receivedAt: isoInstant,
  channels: z.string(),
  noticeVersion: z.string().nullable(),
  noticeHash: z.string().nullable(),
  noticeLang: z.string().nullable(),
  pageUrl: z.string().nullable(),
  origin: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  widgetVersion: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  /** Present when the person proved the number with an SMS code. Times epoch ms. */
  verification: verificationEvidenceSchema.optional(),
  /** The notice registry's judgement (matched, unmatched, no-notice); null where none was made. */
  noticeMatch: z.enum(['matched', 'unmatched', 'no-notice']).nullable(),
  noticeRegistered: z.string().nullable(),
  formTokenAgeMs: z.number().int().nullable(),
});

export const attemptViewSchema = z.object({
  at: isoInstant,
  outcome: z.string(),
  code: z.number().int().nullable(),
  message: z.string(),
  batchSize: z.number().int(),
});

/** What read-back found of a registered record: `pending` until a look-up decides. */
export const checkViewSchema = z.object({
  state: z.enum(['pending', 'confirmed', 'superseded', 'unseen']),
  /** The last look-up of the record's key in İYS. */
  checkedAt: isoInstant.optional(),
  /** What İYS showed when it did not confirm the record (İYS's record, or why it is flagged unseen). */
  note: z.string().optional(),
});

/** A record İYS holds that the collector did not send (a panel entry, a citizen's change), found by a look-up. */
export const observedViewSchema = z.object({
  by: z.enum(['confirmation', 'doubt', 'refusal', 'verification', 'sweep']),
  /** `status`: İYS holds the other status than the ledger did; `record`: the same status from another record. */
  drift: z.enum(['status', 'record']),
  /** İYS's further fields (creationDate, …) as it gave them. */
  iys: z.record(z.string(), z.unknown()).optional(),
});

export const recordViewSchema = z.object({
  id: z.string(),
  type: channelSchema,
  recipientType: recipientTypeSchema,
  status: statusSchema,
  /** A brand's HS_* source, or İYS's own IYS_* on an observed record. */
  source: registrySourceSchema,
  consentDate: turkeyTimeSchema,
  state: recordStateSchema,
  /** Why the record was rejected or expired; absent for pending and registered records. */
  reason: z.string().optional(),
  attempts: z.number().int().min(0),
  registeredAt: isoInstant.optional(),
  /** When a look-up in İYS first showed the record with the same status and consentDate. */
  confirmedAt: isoInstant.optional(),
  /** Read-back's finding, for registered records. */
  check: checkViewSchema.optional(),
  /** Set on an observed record: never sent by the collector, seen in İYS. */
  observed: observedViewSchema.optional(),
  /** The record this one was sent again for (re-queued, or flagged unseen). */
  requeueOf: z.string().optional(),
  deadlineAt: isoInstant,
  evidence: evidenceViewSchema,
  attemptLog: z.array(attemptViewSchema),
});
export type RecordView = z.infer<typeof recordViewSchema>;

/** GET /v1/consents?recipient=… */
/** İYS's current view of one recipient type and channel the ledger knows, read on demand (`verify=1`). */
export const iysViewSchema = z.object({
  recipientType: recipientTypeSchema,
  type: channelSchema,
  /** İYS's record of the key; null when İYS holds none, or when the look-up got no usable answer (then `error`). */
  iys: z.object({ status: statusSchema, source: registrySourceSchema, consentDate: turkeyTimeSchema, extras: z.record(z.string(), z.unknown()) }).nullable(),
  /** What the ledger believes İYS holds: the key's last registered record; null when none. */
  ledger: z.object({ id: z.string(), status: statusSchema, consentDate: turkeyTimeSchema }).nullable(),
  /** Whether İYS holds exactly what the ledger believes (the same status and consentDate, or nothing on both sides); null without an answer. */
  agrees: z.boolean().nullable(),
  /** The observed record written for İYS's record, when the ledger did not have it. */
  observedId: z.string().optional(),
  /** Why there is no answer (transient, account, unreadable). */
  error: z.string().optional(),
});
export type IysView = z.infer<typeof iysViewSchema>;

export const recipientRecordsSchema = z.object({
  recipient: z.string(),
  records: z.array(recordViewSchema),
  /** With `verify=1`: İYS's current view of each recipient type and channel the ledger knows, read just before the records. */
  iys: z.array(iysViewSchema).optional(),
  /** Consents posted with `verify: "sms"`: awaiting their code, or how they ended (only `verified` ones made records). */
  verifications: z.array(verificationViewSchema),
});
export type RecipientRecords = z.infer<typeof recipientRecordsSchema>;

/** GET /v1/export?from=…&to=…&format=… ; bounds: ISO 8601 with a zone, YYYY-MM-DD or Turkey time YYYY-MM-DD HH:MM:SS. */
export const exportQuerySchema = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  format: z.enum(['ndjson', 'csv']).default('ndjson'),
});

const text = z.string().nullable();
const instant = isoInstant.nullable();

/** One line of the audit export: Kantara Consent Receipt / ISO/IEC TS 27560 terms where one fits. */
export const consentReceiptSchema = z.object({
  version: z.string(),
  consentReceiptId: z.string(),
  jurisdiction: z.literal('TR'),
  piiPrincipalId: z.string(),
  piiPrincipalIdAsEntered: z.string(),
  piiPrincipalType: recipientTypeSchema,
  purpose: z.string(),
  channel: channelSchema,
  consentStatus: statusSchema,
  consentEvent: z.enum(['given', 'withdrawn']),
  consentTimestamp: instant,
  consentDate: turkeyTimeSchema,
  clientConsentDate: text,
  collectionMethod: registrySourceSchema,
  channelsPresented: z.string(),
  noticeVersion: text,
  noticeHash: text,
  /** Whether noticeHash is a registered text's (the notice registry): matched, unmatched, no-notice; null: not judged. */
  noticeMatch: text,
  /** The registered notice version the text matched. */
  noticeRegistered: text,
  language: text,
  pageUrl: text,
  origin: text,
  ipAddress: text,
  userAgent: text,
  widgetVersion: text,
  idempotencyKey: text,
  /** How old the signed form token was when the consent arrived, ms; null without one. */
  formTokenAgeMs: z.number().int().nullable(),
  /** How the person proved the number is theirs (`sms`: a code typed, issue 16); null, and the four after it, without one. */
  verificationMethod: z.enum(['sms']).nullable(),
  verificationSentAt: instant,
  /** When the right code came: the record's consentDate (docs/contract.md, SMS verification). */
  verifiedAt: instant,
  /** Codes typed, the right one included. */
  verificationAttempts: z.number().int().nullable(),
  /** iletiMerkezi's order id of the SMS. */
  verificationMessageId: text,
  receivedAt: instant,
  state: recordStateSchema,
  /** Why the record was rejected or expired; null (empty in CSV) otherwise. */
  stateReason: text,
  attempts: z.number().int(),
  registeredAt: instant,
  deadlineAt: instant,
  /** Read-back: when İYS first showed the record (same status and consentDate). */
  confirmedAt: instant,
  /** Read-back's finding for a registered record (confirmed, superseded, unseen); null until one. */
  checkState: text,
  checkNote: text,
  /** On an observed record (one İYS holds that the collector did not send): which check found it. */
  observedBy: text,
  /** On an observed record: status (the other status than the ledger's) or record (the same status, another record). */
  drift: text,
});
export type ConsentReceipt = z.infer<typeof consentReceiptSchema>;
