import type { z } from 'zod';
import { unmetRecipientNeed } from '../../shared/channel-agreement.ts';
import { consentBodySchema } from '../../shared/consent-body.ts';
import type { Channel } from '../../shared/enums.ts';
import { iysRecordSchema, type IysRecord } from '../../shared/iys-record.ts';
import type { FieldIssue } from '../../shared/issues.ts';
import type { NormalisedRecipient } from '../../shared/recipient.ts';
import { intakeDateIssue } from '../../shared/sendability.ts';
import { formatTurkeyTime, parseTurkeyTime } from '../../shared/turkey-time.ts';
import { checkRecipient } from './recipient-check.ts';
import type { NewRecord } from '../stores/store.ts';
import { evidenceOf } from './evidence.ts';

/**
 * The pure core of POST /v1/consents: from the request's text to the records the ledger stores.
 * No I/O and no clock of its own, so every rule is a table test.
 */

/** What the collector knows about the request besides its body. */
export type RequestMeta = {
  /** Epoch ms when the request arrived: the clock the consentDate is judged against. */
  receivedAt: number;
  origin: string | null;
  ip: string | null;
  userAgent: string | null;
};

export type IngestOptions = {
  clockToleranceS: number;
  /** What the dispatcher needs before a record's last sending moment (sendability.ts, intakeHeadroomMs). */
  headroomMs: number;
};

export type IngestResult =
  /** Not JSON at all: the client's encoder is broken (400). */
  | { kind: 'unparseable'; message: string }
  /** JSON, but not a consent the registry would take (422). */
  | { kind: 'invalid'; issues: FieldIssue[] }
  /** The honeypot was filled: answer as if stored, store nothing. */
  | { kind: 'honeypot'; channels: number }
  | {
      kind: 'records';
      records: NewRecord[];
      idempotencyKey: string | null;
      /** True when the client's consentDate was off the clock and the receive time was used. */
      replacedConsentDate: boolean;
      /** True when the client's consentDate was shifted by its clock's skew (measured through sentAt). */
      correctedConsentDate: boolean;
      /** `sms`: hold the records until the person types the code (verification-flow.ts). */
      verify?: 'sms';
      /** The signed form token it carried, for the gate to check (form-token-gate.ts). */
      formToken: string | null;
    };

export function parseConsentText(text: string, meta: RequestMeta, opts: IngestOptions): IngestResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { kind: 'unparseable', message: `the body is not JSON: ${(e as Error).message}` };
  }
  return ingestConsent(json, meta, opts);
}

export function ingestConsent(json: unknown, meta: RequestMeta, opts: IngestOptions): IngestResult {
  const parsed = consentBodySchema.safeParse(json);
  if (!parsed.success) return { kind: 'invalid', issues: bodyIssues(parsed.error) };
  const body = parsed.data;

  const recipient = checkRecipient(body.recipient);
  if (!recipient.ok) return { kind: 'invalid', issues: [{ path: 'recipient', message: recipient.message }] };

  const agreement = channelIssues(body.channels, recipient);
  if (agreement.length > 0) return { kind: 'invalid', issues: agreement };

  // A version names a text; without the hash nothing proves which words the person was shown.
  if (body.notice && !body.notice.hash) return { kind: 'invalid', issues: [{ path: 'notice.hash', message: `is required with notice.version ${JSON.stringify(body.notice.version)}: the hash of the text the person was shown` }] };
  // A withdrawal is never held back: a code nobody types would keep it from İYS for good.
  if (body.verify && body.status === 'RET') return { kind: 'invalid', issues: [{ path: 'verify', message: 'a withdrawal (RET) is never held for a code: send it without verify' }] };

  if (body.website !== undefined && body.website.trim() !== '') return { kind: 'honeypot', channels: body.channels.length };

  const { consentDate, rule } = judgeConsentDate(body.consentDate, body.sentAt, meta.receivedAt, opts);

  // One action, one body of evidence: every channel's record carries the same (stores copy it per row).
  const evidence = evidenceOf(
    {
      ...body,
      // The recipient exactly as typed, before zod's trim.
      rawRecipient: (json as { recipient: string }).recipient,
      clientConsentDate: body.consentDate,
      channels: body.channels.join(' '),
    },
    meta,
  );
  const records: NewRecord[] = [];
  const issues: FieldIssue[] = [];
  for (let index = 0; index < body.channels.length; index++) {
    const record: IysRecord = {
      recipient: recipient.value,
      recipientType: body.recipientType,
      type: body.channels[index]!,
      status: body.status,
      source: 'HS_WEB',
      consentDate,
    };
    // The last word is the registry's own record rules.
    const checked = iysRecordSchema.safeParse(record);
    if (checked.success) records.push({ record: checked.data, evidence });
    else for (const i of checked.error.issues) issues.push({ path: bodyPathOf(i.path, index), message: i.message });
  }
  if (issues.length > 0) return { kind: 'invalid', issues: dedupe(issues) };
  return {
    kind: 'records',
    records,
    idempotencyKey: body.idempotencyKey ?? null,
    replacedConsentDate: rule === 'received',
    correctedConsentDate: rule === 'corrected',
    formToken: body.formToken ?? null,
    ...(body.verify ? { verify: body.verify } : {}),
  };
}

/** Which consentDate is recorded: the client's own, the client's shifted by its clock's skew, or the receive time. */
export type ConsentDateRule = 'client' | 'corrected' | 'received';

/**
 * The consentDate to record. Without sentAt (older widgets, server-to-server posts) the client's
 * value is judged against the receive time as it stands (acceptableClientTime). With sentAt, the
 * client's clock at the moment it sent this request, `receivedAt − sentAt` estimates how far that
 * clock is off (plus the network's delay), so a consent resent after an offline hour, or stamped
 * by a clock hours off, keeps the moment the person acted instead of the moment it arrived.
 * Either way a date the dispatcher could not send in time is replaced by the receive time.
 */
export function judgeConsentDate(
  consentDate: string,
  sentAt: string | undefined,
  receivedAt: number,
  opts: IngestOptions,
): { consentDate: string; rule: ConsentDateRule } {
  const clientMs = parseTurkeyTime(consentDate);
  const sentMs = sentAt === undefined ? undefined : parseTurkeyTime(sentAt);
  if (clientMs === undefined) return received(receivedAt);
  if (sentMs === undefined) {
    return withinTolerance(clientMs, receivedAt, opts.clockToleranceS) && inWindow(clientMs, receivedAt, opts) ? { consentDate, rule: 'client' } : received(receivedAt);
  }
  // A consent stamped after its own send is a forged or broken body: the skew says nothing about it.
  if (clientMs > sentMs) return received(receivedAt);
  const skewMs = receivedAt - sentMs;
  // Rounded down, as the widget's stamps are, so it can never land after the receive time.
  const correctedMs = Math.floor((clientMs + skewMs) / 1000) * 1000;
  if (!inWindow(correctedMs, receivedAt, opts)) return received(receivedAt);
  // A clock that is right up to the tolerance: the person's own stamp stands, if it can reach İYS in time.
  if (Math.abs(skewMs) <= opts.clockToleranceS * 1000 && inWindow(clientMs, receivedAt, opts)) return { consentDate, rule: 'client' };
  return { consentDate: formatTurkeyTime(correctedMs), rule: 'corrected' };
}

/** The receive time, in Turkey time, as the recorded consentDate. */
function received(receivedAt: number): { consentDate: string; rule: 'received' } {
  return { consentDate: formatTurkeyTime(receivedAt), rule: 'received' };
}

/** Not in the future and sendable in time (sendability.ts), judged at the receive time. */
function inWindow(ms: number, receivedAt: number, opts: IngestOptions): boolean {
  return intakeDateIssue('HS_WEB', ms, receivedAt, opts.headroomMs) === null;
}

/**
 * A client's consentDate is kept when it is within the tolerance of the receive time and not in
 * the future: İYS refuses future dates, and a second-precision stamp can only be later than the
 * receive time through a clock that runs ahead.
 */
export function acceptableClientTime(consentDate: string, receivedAt: number, toleranceS: number): boolean {
  const ms = parseTurkeyTime(consentDate);
  return ms !== undefined && withinTolerance(ms, receivedAt, toleranceS);
}

function withinTolerance(ms: number, receivedAt: number, toleranceS: number): boolean {
  // Stamps have whole seconds: judge the distance from the receive time's own second.
  const receivedSecond = Math.floor(receivedAt / 1000) * 1000;
  return ms <= receivedAt && receivedSecond - ms <= toleranceS * 1000;
}

/** The channels a recipient cannot take, named by the body field to fix. */
function channelIssues(channels: readonly Channel[], recipient: NormalisedRecipient): FieldIssue[] {
  return channels.flatMap((channel, i): FieldIssue[] => {
    switch (unmetRecipientNeed(channel, recipient)) {
      case 'email':
        return [{ path: `channels.${i}`, message: 'EPOSTA needs an e-mail recipient; the recipient is a phone number' }];
      case 'phone':
        return [{ path: `channels.${i}`, message: `${channel} needs a phone recipient; the recipient is an e-mail address` }];
      case 'mobile':
        return [{ path: 'recipient', message: `MESAJ (channels.${i}) needs a mobile number (05…); this is not one` }];
      case undefined:
        return [];
    }
  });
}

/** zod's issues as field paths; an unknown field is named itself instead of "(body)". */
function bodyIssues(error: z.ZodError): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const i of error.issues) {
    const base = i.path.map(String);
    if (i.code === 'unrecognized_keys') {
      for (const key of i.keys) out.push({ path: [...base, key].join('.'), message: 'is not a field of a consent' });
    } else {
      out.push({ path: base.join('.') || '(body)', message: i.message });
    }
  }
  return out;
}

/** Maps a path inside one built record back to the body field the client can fix. */
function bodyPathOf(path: PropertyKey[], channelIndex: number): string {
  const field = String(path[0] ?? '');
  if (field === 'type') return `channels.${channelIndex}`;
  if (field === 'source' || field === '') return '(body)';
  return field;
}

function dedupe(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
