import type { ReportData, ReportRecord } from '../../shared/console-api.ts';
import { CHANNELS } from '../../shared/enums.ts';
import { maskRecipient } from '../../shared/recipient.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { publicReason, type Attempt, type StoredRecordWithEvidence } from '../stores/store.ts';
import { canonicalSha256 } from './canonical-json.ts';
import { maskAsTyped } from './mask-typed.ts';
import { PURPOSE } from './export-format.ts';

/**
 * The audit report of one recipient: every record per channel with its evidence and every answer
 * İYS (through iletiMerkezi) gave, times in Turkey time. Pure and deterministic: the same ledger
 * content gives the same data and so the same SHA-256, whenever it is made; a new record or a new
 * answer changes it. When it was printed is not part of it (the page and the PDF say it apart).
 */

export const REPORT_FORMAT = 'iys-consent-report/1';
export const REPORT_CANONICALIZATION = 'RFC 8785 (JSON Canonicalization Scheme), UTF-8';

const tr = (ms: number) => formatTurkeyTime(ms);

function reportRecord(r: StoredRecordWithEvidence, attempts: Attempt[]): ReportRecord {
  const e = r.evidence;
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
      notice: { version: e.noticeVersion, hash: e.noticeHash, lang: e.noticeLang },
      pageUrl: e.pageUrl,
      origin: e.origin,
      ipAddress: e.ip,
      userAgent: e.userAgent,
      widgetVersion: e.widgetVersion,
    },
    attempts: attempts.map((a) => ({ at: tr(a.at), outcome: a.outcome, code: a.code, message: a.message, batchSize: a.batchSize })),
  };
}

/** The latest moment the ledger knows of for these records: a receipt, an answer or a registration. */
function latestEvent(records: StoredRecordWithEvidence[], attemptsOf: ReadonlyMap<string, Attempt[]>): number {
  const times = records.flatMap((r) => [r.receivedAt, r.registeredAt ?? 0, ...(attemptsOf.get(r.id) ?? []).map((a) => a.at)]);
  return Math.max(...times);
}

/** The report's data (what its hash is taken of). `records` are one recipient's, in byRecipient's order. */
export function reportData(records: StoredRecordWithEvidence[], attemptsOf: ReadonlyMap<string, Attempt[]>): ReportData {
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
  };
}

export type BuiltReport = { sha256: string; canonicalization: typeof REPORT_CANONICALIZATION; generatedAt: string; report: ReportData };

export function buildReport(records: StoredRecordWithEvidence[], attemptsOf: ReadonlyMap<string, Attempt[]>, now: number): BuiltReport {
  const report = reportData(records, attemptsOf);
  return { sha256: canonicalSha256(report), canonicalization: REPORT_CANONICALIZATION, generatedAt: tr(now), report };
}
