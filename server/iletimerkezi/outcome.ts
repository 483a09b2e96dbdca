import type { ConsentStatus, RegistrySource } from '../../shared/enums.ts';
import type { ConsentShowQuery } from '../../shared/iletimerkezi.ts';
import type { IysRecord } from '../../shared/iys-record.ts';

/**
 * Every answer of consent/create, reduced to what the dispatcher can act on. The code in the JSON
 * body is read first, the HTTP status second: an HTTP 200 alone proves nothing.
 */
export type SendOutcome =
  /** 200: every record of the request is stored. */
  | { kind: 'accepted'; code: 200; message: string }
  /** 422: at least one record is invalid; the batch is atomic, nothing is stored, the culprit is not named. */
  | { kind: 'records-refused'; code: 422; message: string }
  /** 475: more than 5000 records. */
  | { kind: 'too-many'; code: 475; message: string }
  /** 401 credentials / API access off, 403 no subscription or brand, 405 monthly quota: nothing wrong with the records. */
  | { kind: 'account'; code: 401 | 403 | 405; message: string }
  /** 500, 503, 429, other 5xx, a timeout before the body was sent, a refused connection: nothing was stored. */
  | { kind: 'transient'; code: number | null; message: string; retryAfterMs?: number }
  /**
   * The request went out and no readable answer came back (a timeout or reset after sending, an HTTP
   * 200 whose body cannot be read, a gateway's 502/504): it may have been stored.
   */
  | { kind: 'ambiguous'; code: null; message: string };

export type OutcomeKind = SendOutcome['kind'];

/** What the dispatcher needs of a client; the real one and test doubles implement it. */
export interface ConsentSender {
  send(records: IysRecord[]): Promise<SendOutcome>;
  close(): Promise<void>;
}

/** İYS's record of one key, as consent/show gave it. */
export interface ShownConsent {
  status: ConsentStatus;
  source: RegistrySource;
  /** Turkey time, `YYYY-MM-DD HH:MM:SS`, exactly as İYS gave it. */
  consentDate: string;
  /** Every further field of the answer's consent object (creationDate, transactionId, retailer fields…), kept as evidence. */
  extras: Record<string, unknown>;
}

/**
 * Every answer of consent/show, reduced to what read-back can act on. A read has no side effects,
 * so a lost answer changed nothing: there is no "ambiguous" here, only "ask again" (transient).
 */
export type ShowOutcome =
  /** İYS holds a record for the key: its current status, source and consentDate. */
  | { kind: 'found'; code: 200; message: string; consent: ShownConsent }
  /**
   * No record: 422 (the recipient has no İYS record at all), or 200 with `consent: []` (none for this
   * recipientType and channel under the brand, and also what an unknown brand code gets).
   */
  | { kind: 'none'; code: 200 | 422; message: string }
  /** 401 credentials / API access off, 403 no subscription or brand: for the account gate. */
  | { kind: 'account'; code: 401 | 403; message: string }
  /** 5xx, 429, a gateway's 502/504, a refused connection, DNS, a timeout, a dropped answer: ask again later. */
  | { kind: 'transient'; code: number | null; message: string; retryAfterMs?: number }
  /** An answer that reads as neither a record nor "no record" (an HTML page, an unknown status, two records…). */
  | { kind: 'unreadable'; code: number | null; message: string; excerpt: string };

export type ShowOutcomeKind = ShowOutcome['kind'];

/** What read-back needs of a client: one key looked up per call. The real client and test doubles implement it. */
export interface ConsentReader {
  show(query: ConsentShowQuery): Promise<ShowOutcome>;
  close(): Promise<void>;
}
