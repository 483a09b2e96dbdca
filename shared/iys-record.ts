import { z } from 'zod';
import { unmetRecipientNeed } from './channel-agreement.ts';
import { channelSchema, recipientTypeSchema, sourceSchema, statusSchema } from './enums.ts';
import { EMAIL_PATTERN, MOBILE_PATTERN, PHONE_PATTERN } from './recipient.ts';
import { calendarIssue } from './sendability.ts';
import { DEADLINE_MS, IYS_EARLIEST, TURKEY_TIME_PATTERN, parseTurkeyTime } from './turkey-time.ts';

export const turkeyTimeSchema = z
  .string()
  .regex(TURKEY_TIME_PATTERN, 'must be Turkey time as YYYY-MM-DD HH:MM:SS')
  .refine((s) => parseTurkeyTime(s) !== undefined, 'is not a real calendar date and time');

/** One record as iletiMerkezi's consent/create list holds it; recipient already normalised. */
export const iysRecordShape = z.object({
  recipient: z.string().min(1).max(265),
  recipientType: recipientTypeSchema,
  type: channelSchema,
  status: statusSchema,
  source: sourceSchema,
  consentDate: turkeyTimeSchema,
});
export type IysRecord = z.infer<typeof iysRecordShape>;

type RefineCtx = z.core.$RefinementCtx<IysRecord>;

/** Rules that tie the fields of one record together (no clock needed). */
function checkRecordRules(r: IysRecord, ctx: RefineCtx): void {
  const isEmail = r.recipient.includes('@');
  if (isEmail ? !EMAIL_PATTERN.test(r.recipient) || r.recipient !== r.recipient.toLowerCase() : !PHONE_PATTERN.test(r.recipient)) {
    ctx.addIssue({ code: 'custom', path: ['recipient'], message: 'must be a normalised phone (+90XXXXXXXXXX) or a lower-case e-mail address' });
    return;
  }
  const need = unmetRecipientNeed(r.type, { kind: isEmail ? 'email' : 'phone', mobile: MOBILE_PATTERN.test(r.recipient) });
  if (need === 'mobile') {
    ctx.addIssue({ code: 'custom', path: ['recipient'], message: 'MESAJ needs a mobile number (+905…)' });
  } else if (need) {
    ctx.addIssue({ code: 'custom', path: ['type'], message: `${r.type} needs ${need === 'email' ? 'an e-mail' : 'a phone'} recipient` });
  }
  if (r.source === 'HS_KARAR' && r.status !== 'RET') {
    ctx.addIssue({ code: 'custom', path: ['source'], message: 'HS_KARAR may only carry RET' });
  }
  if (r.source === 'HS_2015' && r.consentDate !== IYS_EARLIEST) {
    ctx.addIssue({ code: 'custom', path: ['consentDate'], message: `HS_2015 records carry consentDate ${IYS_EARLIEST}` });
  }
}

/**
 * İYS's own date rules at `nowMs`, as the registry applies them (the sandbox judges with these):
 * not in the future, not before 2015-05-01, not past the 72-hour deadline — HS_2015 included, since
 * iletiMerkezi refuses any consentDate more than 3 days old. Intake asks more (sendability.ts).
 */
function checkRecordTime(r: IysRecord, nowMs: number, ctx: RefineCtx): void {
  const ms = parseTurkeyTime(r.consentDate);
  if (ms === undefined) return;
  const issue = calendarIssue(ms, nowMs) ?? (nowMs - ms > DEADLINE_MS ? 'is more than 72 hours ago: past the İYS deadline' : null);
  if (issue) ctx.addIssue({ code: 'custom', path: ['consentDate'], message: issue });
}

/** Format, enum and cross-field rules of one record. */
export const iysRecordSchema = iysRecordShape.superRefine(checkRecordRules);

function buildSchemaAt(nowMs: number) {
  return iysRecordShape.superRefine((r, ctx) => {
    checkRecordRules(r, ctx);
    checkRecordTime(r, nowMs, ctx);
  });
}

// Building a zod schema costs ~80 µs (it compiles a parser); parsing with one costs ~2 µs. The
// sandbox asks for one per request, so keep the schema of the current second: consentDate has
// whole seconds, so "now" cut to its second moves the 72-hour edge by under a second.
let cached: { second: number; schema: ReturnType<typeof buildSchemaAt> } | undefined;

/** All one-record rules, the time ones judged at `nowMs` (to the second) as İYS judges them: the sandbox's view. */
export function iysRecordSchemaAt(nowMs: number) {
  const second = Math.floor(nowMs / 1000);
  if (cached?.second !== second) cached = { second, schema: buildSchemaAt(second * 1000) };
  return cached.schema;
}

/** The registry key a record belongs to (brand + recipient + recipientType + type). */
export function keyOf(r: Pick<IysRecord, 'recipient' | 'recipientType' | 'type'>, brandCode: string | number = ''): string {
  return `${brandCode}|${r.recipient}|${r.recipientType}|${r.type}`;
}
