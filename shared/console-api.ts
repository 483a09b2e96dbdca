import { z } from 'zod';
import { channelSchema, recipientTypeSchema, recordStateSchema, registrySourceSchema, sourceSchema, statusSchema } from './enums.ts';
import { recordViewSchema } from './admin-api.ts';
import { turkeyTimeSchema } from './iys-record.ts';
import { registeredNoticeSchema } from './notice-api.ts';

/**
 * The console's API (docs/console.md), behind the admin token like the other admin endpoints. A
 * recipient is addressed by the id of any of its records (`ref`), so no phone number or e-mail
 * address ever travels in a URL; recipients in these answers are masked, and the full value comes
 * only from the reveal endpoint, which logs who asked. The console imports these types only.
 */

const isoInstant = z.iso.datetime();

/** One pending record on the dashboard: the closest to its deadline first. */
export const deadlineItemSchema = z.object({
  id: z.string(),
  /** Masked: +90532*****67, a***@example.com. */
  recipient: z.string(),
  type: channelSchema,
  status: statusSchema,
  source: sourceSchema,
  consentDate: turkeyTimeSchema,
  deadlineAt: isoInstant,
  attempts: z.number().int(),
  /** The last answer iletiMerkezi gave for it, if it was sent. */
  lastAnswer: z.string().nullable(),
});

export const sendingViewSchema = z.object({
  /** Paused by the operator (console or POST /v1/admin/sending/pause) since then; nothing is sent until resumed. */
  heldByOperator: z.object({ since: isoInstant }).nullable(),
  /** Paused by iletiMerkezi's answer (401/403/405) or the circuit breaker (422); probed again at nextProbeAt. */
  paused: z.object({ code: z.number().int(), reason: z.string(), advice: z.string(), since: isoInstant, nextProbeAt: isoInstant }).nullable(),
  /** A transient or lost answer holds every request back until then. */
  backoffUntil: isoInstant.nullable(),
  /** Records in the request on the wire now. */
  inFlight: z.number().int(),
  lastOutcome: z.object({ kind: z.string(), code: z.number().int().nullable(), message: z.string(), at: isoInstant, size: z.number().int() }).nullable(),
});
export type SendingView = z.infer<typeof sendingViewSchema>;

/**
 * Read-back across the ledger (server/readback): of the registered records the collector sent, how
 * many a look-up in İYS confirmed, how many are flagged unseen (not shown by İYS in time, their
 * re-sent copy not confirmed yet) or superseded by a later record; and the records İYS holds that
 * the collector did not send, by who made them (the citizen through İYS's IYS_* channels, or a
 * brand's panel or another integration: HS_*) and by kind (`status`: İYS holds the other status;
 * `record`: the same status from another record).
 */
export const readbackOverviewSchema = z.object({
  ours: z.number().int(),
  confirmed: z.number().int(),
  unseen: z.number().int(),
  superseded: z.number().int(),
  observed: z.object({ citizen: z.number().int(), panel: z.number().int(), status: z.number().int(), record: z.number().int() }),
  /** The latest look-up of any record; null while read-back has looked nothing up (off, or nothing registered yet). */
  lastCheckedAt: isoInstant.nullable(),
});
export type ReadbackOverview = z.infer<typeof readbackOverviewSchema>;

/** GET /v1/admin/overview?hours=N */
export const overviewSchema = z.object({
  at: isoInstant,
  counts: z.record(recordStateSchema, z.number().int()),
  nearestDeadlines: z.array(deadlineItemSchema),
  /** Null when this process runs no dispatcher. */
  sending: sendingViewSchema.nullable(),
  requests: z.object({
    from: isoInstant,
    to: isoInstant,
    /** One entry per hour and outcome (the client's outcome classes) that had answers, oldest first. */
    hours: z.array(z.object({ hourStart: isoInstant, outcome: z.string(), requests: z.number().int(), records: z.number().int() })),
  }),
  readback: readbackOverviewSchema,
});
export type Overview = z.infer<typeof overviewSchema>;
export type DeadlineItem = z.infer<typeof deadlineItemSchema>;

/** A record as the console shows it: the lookup's view, the recipient as typed masked, and its re-queue links. */
export const consoleRecordSchema = recordViewSchema.extend({
  /** The rejected or expired record this one was re-queued for. */
  requeueOf: z.string().nullable(),
  /** The record that re-queued this one, if it was. */
  requeuedAs: z.string().nullable(),
});
export type ConsoleRecord = z.infer<typeof consoleRecordSchema>;

/** POST /v1/admin/lookup and GET /v1/admin/recipients/{ref}: every record of one recipient, per channel. */
export const recipientViewSchema = z.object({
  /** Masked. */
  recipient: z.string(),
  kind: z.enum(['phone', 'email']),
  /** Addresses this recipient in the other console endpoints: the id of its first record. */
  ref: z.string(),
  channels: z.array(z.object({ type: channelSchema, records: z.array(consoleRecordSchema) })),
  /** The texts of the notice registry the records' notices matched (their evidence's noticeRegistered and hash), by version then language. */
  notices: z.array(registeredNoticeSchema),
});
export type RecipientView = z.infer<typeof recipientViewSchema>;

export const lookupBodySchema = z.object({ recipient: z.string().trim().min(1, 'is required').max(320) }).strict();

/** POST /v1/admin/recipients/{ref}/reveal: the full values, each reveal logged. */
export const revealSchema = z.object({
  recipient: z.string(),
  asEntered: z.array(z.object({ id: z.string(), rawRecipient: z.string() })),
});
export type Reveal = z.infer<typeof revealSchema>;

/**
 * GET /v1/admin/notice-matches: how the consents' notices compared with the notice registry, in
 * records (one per channel ticked), observed records left out: per registered version matched, and
 * those not matched, posted without a notice, or never judged (batches, records from before the registry).
 */
export const noticeMatchesSchema = z.object({
  versions: z.array(z.object({ version: z.string(), records: z.number().int() })),
  unmatched: z.number().int(),
  noNotice: z.number().int(),
  unjudged: z.number().int(),
});
export type NoticeMatches = z.infer<typeof noticeMatchesSchema>;

/** POST /v1/admin/records/{id}/requeue: 201 with the new pending record. */
export const requeuedSchema = z.object({ id: z.string(), requeueOf: z.string(), state: z.literal('pending') });

/** GET /v1/admin/sending, POST /v1/admin/sending/pause, /resume */
export const sendingAnswerSchema = z.object({ sending: sendingViewSchema });

// --- the audit report -------------------------------------------------------------------------

const turkey = turkeyTimeSchema;
export const reportAttemptSchema = z.object({ at: turkey, outcome: z.string(), code: z.number().int().nullable(), message: z.string(), batchSize: z.number().int() });
export const reportRecordSchema = z.object({
  id: z.string(),
  status: statusSchema,
  event: z.enum(['given', 'withdrawn']),
  /** A brand's HS_*, or İYS's own IYS_* on an observed record. */
  source: registrySourceSchema,
  recipientType: recipientTypeSchema,
  consentDate: turkey,
  state: recordStateSchema,
  reason: z.string().nullable(),
  registeredAt: turkey.nullable(),
  deadlineAt: turkey,
  requeueOf: z.string().nullable(),
  evidence: z.object({
    recipientAsEntered: z.string(),
    clientConsentDate: z.string().nullable(),
    receivedAt: turkey,
    channelsTicked: z.string(),
    /** `match`: the notice registry's judgement; `registered`: the registered version it matched (its text is in the report's `notices`). */
    notice: z.object({
      version: z.string().nullable(), hash: z.string().nullable(), lang: z.string().nullable(),
      match: z.enum(['matched', 'unmatched', 'no-notice']).nullable(), registered: z.string().nullable(),
    }),
    pageUrl: z.string().nullable(),
    origin: z.string().nullable(),
    ipAddress: z.string().nullable(),
    userAgent: z.string().nullable(),
    widgetVersion: z.string().nullable(),
    /** The SMS code the person typed to prove the number (verify="sms"); null without one. */
    verification: z.object({ method: z.string(), sentAt: turkey, verifiedAt: turkey, attempts: z.number().int(), messageId: z.string().nullable(), clickConsentDate: z.string() }).nullable(),
    /** Arrival minus the signed form token's issue time, ms; null without a token. */
    formTokenAgeMs: z.number().int().nullable(),
  }),
  attempts: z.array(reportAttemptSchema),
  /**
   * Read-back: what look-ups in İYS found of the record (registered records; nulls otherwise): the
   * first confirmation and the last finding. Not when it was last looked up, which changes daily
   * without news and would change the report's hash with it.
   */
  readback: z.object({
    confirmedAt: turkey.nullable(),
    checkState: z.enum(['confirmed', 'superseded', 'unseen']).nullable(),
    checkNote: z.string().nullable(),
  }),
  /** Set on a record İYS holds that the collector did not send: who found it, the kind of difference, İYS's further fields. */
  observed: z.object({ by: z.string(), drift: z.enum(['status', 'record']), iys: z.record(z.string(), z.unknown()) }).nullable(),
});

/** What the report's SHA-256 is taken of: its canonical JSON (RFC 8785), UTF-8. Times are Turkey time. */
export const reportDataSchema = z.object({
  /** /2 added the notice texts, read-back (confirmations, observed records), the SMS verification and the form token's age. */
  format: z.literal('iys-consent-report/2'),
  timeZone: z.literal('Europe/Istanbul (UTC+3)'),
  jurisdiction: z.literal('TR'),
  purpose: z.string(),
  /** Masked. */
  recipient: z.string(),
  /** The latest event of the ledger for this recipient the report covers (a record received, an answer, a registration). */
  asOf: turkey,
  channels: z.array(z.object({ type: channelSchema, records: z.array(reportRecordSchema) })),
  /** The registered notice texts the records matched, exactly as registered (registeredAt in Turkey time). */
  notices: z.array(registeredNoticeSchema.extend({ registeredAt: turkey })),
});
export type ReportData = z.infer<typeof reportDataSchema>;
export type ReportRecord = z.infer<typeof reportRecordSchema>;

/** GET /v1/admin/recipients/{ref}/report */
export const reportSchema = z.object({
  /** Lower-case hex SHA-256 of canonicalJson(report). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  canonicalization: z.literal('RFC 8785 (JSON Canonicalization Scheme), UTF-8'),
  generatedAt: turkey,
  report: reportDataSchema,
});
export type Report = z.infer<typeof reportSchema>;
