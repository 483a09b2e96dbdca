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
