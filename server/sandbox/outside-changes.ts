import { z } from 'zod';
import { channelSchema, iysSideSourceSchema, recipientTypeSchema, sourceSchema, statusSchema } from '../../shared/enums.ts';
import { consentShowQuerySchema } from '../../shared/iletimerkezi.ts';
import { iysRecordSchemaAt, turkeyTimeSchema } from '../../shared/iys-record.ts';
import { normaliseRecipient } from '../../shared/recipient.ts';
import { IYS_EARLIEST, formatTurkeyTime, parseTurkeyTime } from '../../shared/turkey-time.ts';
import type { HeldRecord, SandboxLedger, ChangeVerdict } from './sandbox-ledger.ts';

const IYS_EARLIEST_MS = parseTurkeyTime(IYS_EARLIEST)!;

const changeFields = {
  /** Any common form: the sandbox normalises it as iletiMerkezi's panel and İYS do. */
  recipient: z.string().min(1).max(265),
  recipientType: recipientTypeSchema.default('BIREYSEL'),
  type: channelSchema,
  status: statusSchema,
  /** Turkey time; the sandbox's "now" when left out. */
  consentDate: turkeyTimeSchema.optional(),
};

/**
 * A change İYS sees that the collector did not send: the body of POST /_sandbox/changes and the
 * argument of Sandbox.changeElsewhere(). `panel`: the brand entered it in its iletiMerkezi panel or
 * through another integration (an HS_* source). `citizen`: the person changed it through İYS's own
 * channels (an IYS_* source: the RET short message IYS_3338, e-Devlet IYS_WEB, the app IYS_MOBIL…).
 */
export const outsideChangeSchema = z.discriminatedUnion('origin', [
  z.object({ origin: z.literal('panel'), source: sourceSchema, ...changeFields }).strict(),
  z.object({ origin: z.literal('citizen'), source: iysSideSourceSchema, ...changeFields }).strict(),
]);
export type OutsideChange = z.input<typeof outsideChangeSchema>;
type ParsedChange = z.output<typeof outsideChangeSchema>;

/** A parsed outside change, judged by the one-record rules and then by the ledger's state rules. */
export function applyOutsideChange(ledger: SandboxLedger, change: ParsedChange, brandCode: string | number, nowMs: number): ChangeVerdict {
  const made = recordOfChange(change, nowMs);
  return made.ok ? ledger.holdFromElsewhere(made.record, change.origin, brandCode, nowMs) : made;
}

/**
 * The record an outside change stands for, or why İYS would not take it. Only the one-record rules:
 * the state rules against what is stored are the ledger's.
 */
function recordOfChange(change: ParsedChange, nowMs: number): { ok: true; record: HeldRecord } | { ok: false; reason: string } {
  const n = normaliseRecipient(change.recipient);
  if (!n.ok) return { ok: false, reason: `recipient: ${n.message}` };
  const key = consentShowQuerySchema.safeParse({ recipient: n.value, recipientType: change.recipientType, type: change.type });
  if (!key.success) return { ok: false, reason: firstIssue(key.error) };
  const record: HeldRecord = {
    recipient: n.value,
    recipientType: change.recipientType,
    type: change.type,
    status: change.status,
    source: change.source,
    consentDate: change.consentDate ?? formatTurkeyTime(nowMs),
  };
  if (change.origin === 'panel') {
    // A panel entry reaches İYS through iletiMerkezi like an API record: every one-record rule, the 72-hour deadline too.
    const parsed = iysRecordSchemaAt(nowMs).safeParse(record);
    return parsed.success ? { ok: true, record } : { ok: false, reason: firstIssue(parsed.error) };
  }
  // İYS records the citizen's own change itself, at once: no deadline, but not in the future nor before İYS began.
  const ms = parseTurkeyTime(record.consentDate)!;
  if (ms > nowMs) return { ok: false, reason: 'consentDate: is in the future' };
  if (ms < IYS_EARLIEST_MS) return { ok: false, reason: `consentDate: is before ${IYS_EARLIEST}` };
  return { ok: true, record };
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join('.') || '(record)'}: ${issue.message}`;
}
