import type { ReportData, ReportRecord } from '../../shared/console-api.ts';
import { CHANNELS } from '../../shared/enums.ts';
import { maskRecipient } from '../../shared/recipient.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { publicReason, type Attempt, type StoredRecordWithEvidence } from '../stores/store.ts';
import { canonicalSha256 } from './canonical-json.ts';
import { maskAsTyped } from './mask-typed.ts';
import { PURPOSE } from './export-format.ts';
import type { RecipientRecords } from './recipient-load.ts';

/**
 * The audit report of one recipient: every record per channel with its evidence and every answer
 * İYS (through iletiMerkezi) gave, times in Turkey time. Pure and deterministic: the same ledger
 * content gives the same data and so the same SHA-256, whenever it is made; a new record, a new
 * answer or a new finding of read-back changes it. A look-up that finds nothing new does not: the
 * report holds the first confirmation and the last finding, never the time of the last look-up
 * (the sweep repeats those daily, and each would make a new hash of the same facts). When it was printed is not part of it (the page and the PDF say it apart).
 */

export const REPORT_FORMAT = 'iys-consent-report/2';
export const REPORT_CANONICALIZATION = 'RFC 8785 (JSON Canonicalization Scheme), UTF-8';

const tr = (ms: number) => formatTurkeyTime(ms);

/** İYS's further fields of an observed record, as stored (JSON); an unreadable text is kept whole rather than dropped. */
function extrasOf(json: string | null): Record<string, unknown> {
  if (json === null) return {};
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { text: json };
  }
}

function reportRecord(r: StoredRecordWithEvidence, attempts: Attempt[]): ReportRecord {
  const e = r.evidence;
  const v = e.verification;
  return {
    id: r.id,
    status: r.status,
    event: r.status === 'ONAY' ? 'given' : 'withdrawn',
    source: r.source,
    recipientType: r.recipientType,
    consentDate: r.consentDate,
    state: r.state,
    reason: publicReason(r),
    registeredAt: r.registeredAt === null ? null : tr(r.registeredAt),
    deadlineAt: tr(r.deadlineAt),
    requeueOf: r.requeueOf,
    evidence: {
      recipientAsEntered: maskAsTyped(e.rawRecipient),
      clientConsentDate: e.clientConsentDate,
      receivedAt: tr(e.receivedAt),
      channelsTicked: e.channels,
      notice: { version: e.noticeVersion, hash: e.noticeHash, lang: e.noticeLang, match: e.noticeMatch, registered: e.noticeRegistered },
      pageUrl: e.pageUrl,
      origin: e.origin,
      ipAddress: e.ip,
      userAgent: e.userAgent,
      widgetVersion: e.widgetVersion,
      verification: v ? { method: v.method, sentAt: tr(v.sentAt), verifiedAt: tr(v.verifiedAt), attempts: v.attempts, messageId: v.messageId, clickConsentDate: v.clickConsentDate } : null,
      formTokenAgeMs: e.formTokenAgeMs,
    },
    attempts: attempts.map((a) => ({ at: tr(a.at), outcome: a.outcome, code: a.code, message: a.message, batchSize: a.batchSize })),
    readback: {
      confirmedAt: r.confirmedAt === null ? null : tr(r.confirmedAt),
      checkState: r.checkState,
      checkNote: r.checkNote,
    },
    observed: r.observedBy !== null && r.drift !== null ? { by: r.observedBy, drift: r.drift, iys: extrasOf(r.iysExtras) } : null,
  };
}

/** The latest moment the ledger knows of for these records: a receipt, an answer, a registration or a confirmation by İYS. */
function latestEvent(records: StoredRecordWithEvidence[], attemptsOf: ReadonlyMap<string, Attempt[]>): number {
  const times = records.flatMap((r) => [r.receivedAt, r.registeredAt ?? 0, r.confirmedAt ?? 0, ...(attemptsOf.get(r.id) ?? []).map((a) => a.at)]);
  return Math.max(...times);
}

/** The report's data (what its hash is taken of): one recipient's records, in byRecipient's order, and the notice texts they matched. */
export function reportData({ records, attemptsOf, notices }: RecipientRecords): ReportData {
  return {
    format: REPORT_FORMAT,
    timeZone: 'Europe/Istanbul (UTC+3)',
    jurisdiction: 'TR',
    purpose: PURPOSE,
    recipient: maskRecipient(records[0]!.recipient),
    asOf: tr(latestEvent(records, attemptsOf)),
    channels: CHANNELS.map((type) => ({
      type,
      records: records.filter((r) => r.type === type).map((r) => reportRecord(r, attemptsOf.get(r.id) ?? [])),
    })).filter((c) => c.records.length > 0),
    notices: notices.map((n) => ({ version: n.version, lang: n.lang, hash: n.hash, text: n.text, registeredAt: tr(n.registeredAt) })),
  };
}

export type BuiltReport = { sha256: string; canonicalization: typeof REPORT_CANONICALIZATION; generatedAt: string; report: ReportData };

export function buildReport(found: RecipientRecords, now: number): BuiltReport {
  const report = reportData(found);
  return { sha256: canonicalSha256(report), canonicalization: REPORT_CANONICALIZATION, generatedAt: tr(now), report };
}
