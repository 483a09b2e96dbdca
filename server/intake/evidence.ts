import type { Evidence } from '../stores/store.ts';

/**
 * The one evidence builder: what the ledger keeps beside each record to show how the consent was
 * given. The web intake (and the demo's burst, which goes through it) and batch validation (and so
 * the batch route and the import command) all build it here.
 */

/** What the consent itself says besides its İYS fields; what a source does not carry is left out. */
export type ConsentFacts = {
  /** The recipient exactly as given, before normalising: an auditor compares it with the form. */
  rawRecipient: string;
  clientConsentDate: string;
  /** Every channel ticked in the one action, space-separated ("MESAJ ARAMA"). */
  channels: string;
  notice?: { version: string; hash?: string; lang?: string };
  pageUrl?: string;
  widgetVersion?: string;
  idempotencyKey?: string;
};

/** When and how it reached the collector; the request's origin, client IP and user agent where there was one. */
export type Arrival = { receivedAt: number; origin?: string | null; ip?: string | null; userAgent?: string | null };

// Evidence fields copied from headers: long enough for any real value, short enough to keep rows small.
const HEADER_EVIDENCE_MAX = 512;

export function evidenceOf(facts: ConsentFacts, arrival: Arrival): Evidence {
  return {
    rawRecipient: facts.rawRecipient,
    clientConsentDate: facts.clientConsentDate,
    receivedAt: arrival.receivedAt,
    channels: facts.channels,
    noticeVersion: facts.notice?.version ?? null,
    noticeHash: facts.notice?.hash ?? null,
    noticeLang: facts.notice?.lang ?? null,
    pageUrl: facts.pageUrl ?? null,
    origin: clip(arrival.origin),
    ip: clip(arrival.ip),
    userAgent: clip(arrival.userAgent),
    widgetVersion: facts.widgetVersion ?? null,
    idempotencyKey: facts.idempotencyKey ?? null,
    // The notice registry and the form token gate judge these once the consent is parsed (intake/notice-gate.ts, form-token-gate.ts).
    noticeMatch: null,
    noticeRegistered: null,
    formTokenAgeMs: null,
  };
}

function clip(value: string | null | undefined): string | null {
  return value == null ? null : value.slice(0, HEADER_EVIDENCE_MAX);
}
