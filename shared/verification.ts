import { z } from 'zod';

/**
 * The SMS code double opt-in (`verify="sms"` on the widget): its states, the code the person types,
 * the collector's answers and the evidence a verified record keeps. Shared by the widget's code step
 * and the collector.
 */

/**
 * Where a verification stands. `awaiting-verification`: the consent is stored, the code sent, nothing
 * goes to İYS; `verified`: the records were made (pending, for the dispatcher); `expired`: the code's
 * lifetime passed unverified; `locked`: too many wrong codes; `send-failed`: the SMS could not be sent.
 * Only `verified` ever makes records: the others are final and never reach İYS.
 */
export const VERIFICATION_STATES = ['awaiting-verification', 'verified', 'expired', 'locked', 'send-failed'] as const;
export type VerificationState = (typeof VERIFICATION_STATES)[number];

/** The only method so far: a 6-digit code by SMS to the number itself. */
export const VERIFY_METHODS = ['sms'] as const;
export const verifyMethodSchema = z.enum(VERIFY_METHODS);

/** Six digits, as typed (spaces around it trimmed). */
export const verificationCodeSchema = z.string().trim().regex(/^\d{6}$/, 'must be the 6 digits of the SMS');
export const verificationCodeBodySchema = z.object({ code: verificationCodeSchema }).strict();
export type VerificationCodeBody = z.infer<typeof verificationCodeBodySchema>;

/** Where the code step goes: the answer to a consent posted with `verify: "sms"`. */
export const pendingVerificationSchema = z.object({
  id: z.string(),
  method: verifyMethodSchema,
  /** The number the code went to, masked (+90532*****67). */
  sentTo: z.string(),
  /** ISO instant after which the code is no longer taken. */
  expiresAt: z.iso.datetime(),
  /** Wrong codes left. */
  attemptsLeft: z.number().int().min(0),
});
export type PendingVerification = z.infer<typeof pendingVerificationSchema>;

/** The evidence a record made by a verification keeps (the ledger's `verification` column, as JSON). Times are epoch ms. */
export const verificationEvidenceSchema = z.object({
  id: z.string(),
  method: verifyMethodSchema,
  sentAt: z.number().int(),
  verifiedAt: z.number().int(),
  /** Codes typed, the right one included. */
  attempts: z.number().int().min(1),
  /** iletiMerkezi's order id of the SMS. */
  messageId: z.string().nullable(),
  /** The consentDate the click itself had (the record's consentDate is the verification moment: docs/contract.md). */
  clickConsentDate: z.string(),
});
export type VerificationEvidence = z.infer<typeof verificationEvidenceSchema>;

/** A verification in the recipient lookup: awaiting, or how it ended. Instants ISO. */
export const verificationViewSchema = z.object({
  id: z.string(),
  state: z.enum(VERIFICATION_STATES),
  reason: z.string().nullable(),
  channels: z.string(),
  createdAt: z.iso.datetime(),
  sentAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime(),
  verifiedAt: z.iso.datetime().nullable(),
  attempts: z.number().int().min(0),
  messageId: z.string().nullable(),
  /** The records it made, once verified. */
  recordIds: z.array(z.string()),
});
export type VerificationView = z.infer<typeof verificationViewSchema>;
