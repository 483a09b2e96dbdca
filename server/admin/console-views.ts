import type { ConsoleRecord, DeadlineItem, NoticeMatches, RecipientView, SendingView } from '../../shared/console-api.ts';
import type { NoticeMatchCount } from '../stores/proof-store.ts';
import { CHANNELS } from '../../shared/enums.ts';
import { maskRecipient } from '../../shared/recipient.ts';
import { pauseWordsOf } from '../dispatch/account-gate.ts';
import type { DispatcherStatus } from '../dispatch/dispatcher.ts';
import type { Attempt, StoredRecord, StoredRecordWithEvidence } from '../stores/store.ts';
import { toRecordView } from './consents-routes.ts';
import { maskAsTyped } from './mask-typed.ts';
import type { RecipientRecords } from './recipient-load.ts';

/** What the console's routes make of the ledger and the dispatcher: pure, masked where a person is named. */

const iso = (ms: number) => new Date(ms).toISOString();

export function deadlineItem(r: StoredRecord): DeadlineItem {
  return {
    id: r.id, recipient: maskRecipient(r.recipient), type: r.type, status: r.status, source: r.source, consentDate: r.consentDate,
    deadlineAt: iso(r.deadlineAt), attempts: r.attempts,
    // For a pending record the reason column holds the dispatcher's last answer (store.ts, publicReason).
    lastAnswer: r.attempts > 0 ? r.reason : null,
  };
}

export function sendingView(status: DispatcherStatus, now: number): SendingView {
  const p = status.paused;
  return {
    heldByOperator: status.heldByOperator ? { since: iso(status.heldByOperator.since) } : null,
    paused: p ? { code: p.code, reason: p.reason, advice: pauseWordsOf(String(p.code))?.advice ?? p.reason, since: iso(p.since), nextProbeAt: iso(p.until) } : null,
    backoffUntil: status.backoffUntil !== null && status.backoffUntil > now ? iso(status.backoffUntil) : null,
    inFlight: status.inFlight,
    lastOutcome: status.lastOutcome ? { ...status.lastOutcome, at: iso(status.lastOutcome.at) } : null,
  };
}

/** A record for the console: the lookup's view, the recipient as typed masked, its re-queue links. */
export function consoleRecord(r: StoredRecordWithEvidence, attempts: Attempt[], requeuedAs: string | null): ConsoleRecord {
  const view = toRecordView(r, attempts);
  return { ...view, evidence: { ...view.evidence, rawRecipient: maskAsTyped(r.evidence.rawRecipient) }, requeueOf: r.requeueOf, requeuedAs };
}

/** Every record of one recipient (byRecipient's order: consentDate, then arrival), per channel in İYS's order, and the notice texts they matched. */
export function recipientView({ records, attemptsOf, notices }: RecipientRecords): RecipientView {
  const first = records[0]!;
  const requeuedAs = new Map(records.flatMap((r) => (r.requeueOf ? [[r.requeueOf, r.id] as const] : [])));
  const channels = CHANNELS.map((type) => ({
    type,
    records: records.filter((r) => r.type === type).map((r) => consoleRecord(r, attemptsOf.get(r.id) ?? [], requeuedAs.get(r.id) ?? null)),
  })).filter((c) => c.records.length > 0);
  return {
    recipient: maskRecipient(first.recipient), kind: first.recipient.includes('@') ? 'email' : 'phone', ref: first.id, channels,
    notices: notices.map((n) => ({ ...n, registeredAt: iso(n.registeredAt) })),
  };
}

/** The registry panel's figures from the ledger's groups: matched records per version (in version order), the rest by judgement. */
export function noticeMatches(groups: NoticeMatchCount[]): NoticeMatches {
  const out: NoticeMatches = { versions: [], unmatched: 0, noNotice: 0, unjudged: 0 };
  const byVersion = new Map<string, number>();
  for (const g of groups) {
    if (g.match === 'matched' && g.registered !== null) byVersion.set(g.registered, (byVersion.get(g.registered) ?? 0) + g.records);
    else if (g.match === 'unmatched') out.unmatched += g.records;
    else if (g.match === 'no-notice') out.noNotice += g.records;
    else out.unjudged += g.records;
  }
  out.versions = [...byVersion].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([version, records]) => ({ version, records }));
  return out;
}
