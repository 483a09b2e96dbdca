import type { Logger } from '../log/logger.ts';
import { ACCOUNT_BACKOFF, TRANSIENT_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff.ts';
import type { Emit } from './events.ts';

/** The answers that pause sending: 401/403/405 from iletiMerkezi, 422 from the circuit breaker. */
export type PauseCode = 401 | 403 | 405 | 422;
/** What paused sending: one of those answers, or the operator (the console's pause, until resumed). */
export type PauseKey = PauseCode | 'operator';

export type PauseWords = {
  /** What status().paused and the `dispatch.paused` log line say. */
  reason: string;
  /** What /healthz tells the operator. */
  advice: string;
};

/** The words of each pause, in the one place they live. */
export const PAUSE_WORDS: Readonly<Record<PauseKey, PauseWords>> = {
  401: {
    reason: 'credentials refused or API access off',
    advice: 'iletiMerkezi answered 401: the API key/hash is wrong or API access is switched off in the panel',
  },
  403: {
    reason: 'no active İYS subscription or brand',
    advice: 'iletiMerkezi answered 403: no active İYS subscription for this account or brand',
  },
  405: {
    reason: 'monthly quota used up',
    advice: 'iletiMerkezi answered 405: the monthly quota is used up',
  },
  422: {
    reason: 'every record refused (422) and none accepted: check IYS_BRAND_CODE (a brand code that is not this account\'s is refused so)',
    advice: 'iletiMerkezi refused every record and accepted none (422): check IYS_BRAND_CODE and the account; records stay pending',
  },
  operator: {
    reason: 'paused by the operator',
    advice: 'an operator paused sending (the console, or POST /v1/admin/sending/pause): nothing is sent, not even a probe, until it is resumed; records stay pending and their deadlines run',
  },
};

/** The words of a pause by its key as a label carries it ("401", "operator"); undefined for any other. */
export function pauseWordsOf(key: string): PauseWords | undefined {
  return Object.hasOwn(PAUSE_WORDS, key) ? (PAUSE_WORDS as Readonly<Record<string, PauseWords>>)[key] : undefined;
}

/** The operator's pause: since when. It holds until the operator resumes (or the process restarts). */
export type OperatorHold = { since: number };

/** Sending paused: why, since when, and when the next probe may go. */
export type Pause = { reason: string; code: PauseCode; since: number; until: number };

/**
 * The circuit breaker. A 422 names no record, and some 422s are about the account, not the records:
 * "brandCode not yours" is listed under 422 in the API document. Then every record is refused and,
 * without a breaker, isolation would reject the whole backlog, irreversibly.
 *
 * The rule: until this process has seen one request accepted (since it started, or since sending
 * last resumed after a pause), a refusal of a record alone is not trusted: the record stays pending.
 * Once BREAKER_AFTER single-record requests have been refused, or one isolation has ended with every
 * record refused, with nothing accepted, sending pauses like a 401: the records stay pending and one
 * record at a time probes the account with a growing back-off; the first acceptance resumes sending. After that acceptance a
 * record refused alone is the record's fault again and is rejected, as before.
 *
 * So a wrong brand code costs a few dozen refused requests and rejects nothing, while a genuinely
 * bad record among good ones is rejected at once (the good ones are accepted around it). The one
 * case it cannot tell apart: a process whose only pending records are all bad pauses instead of
 * rejecting them, until a good record arrives and a probe is accepted. Records the ledger expects
 * refused (sent apart) and records in doubt after a lost answer are judged by their own rules and
 * do not count.
 */
const BREAKER_AFTER = 3;

export type AccountGateOptions = {
  logger: Logger;
  now: () => number;
  random: () => number;
  emit: Emit;
  transientBackoff?: BackoffPolicy;
  accountBackoff?: BackoffPolicy;
};

/**
 * Whether sending may go on, and when: the account pause (401/403/405, or the breaker's 422), the
 * back-off streaks, the service-wide hold-off after a transient or lost answer, and the breaker.
 */
export class AccountGate {
  private pause: Pause | null = null;
  private hold: OperatorHold | null = null;
  private transientStreak = 0;
  private accountStreak = 0;
  // The circuit breaker (see BREAKER_AFTER): whether a request was accepted since the start or the
  // last pause, and the records refused alone since then.
  private isProven = false;
  private refusedUnproven = 0;
  // After a transient or ambiguous answer the service as a whole is backed off, not just the records
  // held: a new insert wakes the loop, which goes back to sleep until then (Retry-After included).
  private sendNotBefore = 0;
  private readonly transient: BackoffPolicy;
  private readonly account: BackoffPolicy;

  constructor(private readonly opts: AccountGateOptions) {
    this.transient = opts.transientBackoff ?? TRANSIENT_BACKOFF;
    this.account = opts.accountBackoff ?? ACCOUNT_BACKOFF;
  }

  get paused(): Pause | null {
    return this.pause;
  }

  get heldByOperator(): OperatorHold | null {
    return this.hold;
  }

  /** The end of the service-wide hold-off after a transient or lost answer, while it lasts at `t`. */
  backoffUntil(t: number): number | null {
    return t < this.sendNotBefore ? this.sendNotBefore : null;
  }

  /** The operator pauses sending: no request goes out, probes included, until resume(); false when already paused so. */
  holdByOperator(): boolean {
    if (this.hold) return false;
    this.hold = { since: this.opts.now() };
    this.opts.logger.warn({ event: 'dispatch.operator-paused' }, 'sending paused by the operator: nothing is sent until it is resumed');
    return true;
  }

  /** The operator resumes sending; false when it was not paused so. An account pause, if any, goes on probing. */
  releaseByOperator(): boolean {
    if (!this.hold) return false;
    this.opts.logger.info({ event: 'dispatch.operator-resumed', pausedMs: this.opts.now() - this.hold.since }, 'sending resumed by the operator');
    this.hold = null;
    return true;
  }

  /** Whether a request was accepted since the start or the last pause: refusals alone are then the records'. */
  get proven(): boolean {
    return this.isProven;
  }

  get breakerDue(): boolean {
    return this.refusedUnproven >= BREAKER_AFTER;
  }

  /** Null when sending may go on at `t`; otherwise the moment it may (the next probe of a pause, the end of a hold-off). */
  closedUntil(t: number): number | null {
    // Held by the operator: closed until resumed, which wakes the loop (the idle poll bounds the sleep).
    if (this.hold) return Number.POSITIVE_INFINITY;
    if (this.pause && t < this.pause.until) return this.pause.until;
    if (t < this.sendNotBefore) return this.sendNotBefore;
    return null;
  }

  /** A request accepted: the account works, and a refusal alone is the record's own again. */
  onAccepted(): void {
    this.transientStreak = 0;
    this.isProven = true;
    this.refusedUnproven = 0;
    this.resume();
  }

  /** Records refused (422): the credentials and the quota work, but not that the brand code does. */
  onRefused(): void {
    this.transientStreak = 0;
    if (this.pause && this.pause.code !== 422) this.resume();
  }

  /** An answer about the account (or the breaker's verdict): sending pauses; returns when to probe. */
  enterPause(code: PauseCode, message: string): number {
    const { logger, now, random, emit } = this.opts;
    const delay = backoffDelay(this.accountStreak++, this.account, { random });
    const until = now() + delay;
    const { reason } = PAUSE_WORDS[code];
    this.isProven = false;
    if (this.pause === null || this.pause.code !== code) {
      logger.error(
        { event: 'dispatch.paused', code, message, reason, retryInMs: delay },
        `sending paused: iletiMerkezi answered ${code} (${reason}); records stay pending, retrying by itself`,
      );
      emit({ type: 'paused', reason, code });
    }
    this.pause = { reason, code, since: this.pause?.since ?? now(), until };
    return until;
  }

  /**
   * A transient or lost answer: the next back-off of the streak (never before Retry-After), held by
   * every send, not only the records of this request. Returns the delay and when it ends.
   */
  backOff(retryAfterMs?: number): { delay: number; until: number } {
    const delay = backoffDelay(this.transientStreak++, this.transient, { random: this.opts.random, retryAfterMs });
    const until = this.opts.now() + delay;
    this.sendNotBefore = Math.max(this.sendNotBefore, until);
    return { delay, until };
  }

  /**
   * A record refused alone: 'judge' when the refusal is the record's own (the account was shown to
   * work, or the doubt rule decides), 'unproven' (and counted for the breaker) when it is not yet.
   */
  refusedAlone(inDoubt: boolean): 'judge' | 'unproven' {
    if (this.isProven || inDoubt) return 'judge';
    this.refusedUnproven++;
    return 'unproven';
  }

  /** A control record (sent alone to test the account inside an isolation) refused. */
  controlRefused(): void {
    this.refusedUnproven++;
  }

  /** The breaker trips: sending pauses as for an account answer (code 422); returns when to probe. */
  trip(message: string): number {
    if (this.pause?.code !== 422) {
      this.opts.logger.warn(
        { event: 'dispatch.breaker', refusedAlone: this.refusedUnproven, message },
        'records refused alone and none accepted: the account, not the records',
      );
    }
    return this.enterPause(422, message);
  }

  /**
   * A record refused alone before any acceptance is given back unjudged: when it is tried again,
   * and, when this refusal trips the breaker, when the pause's first probe may go. After a trip the
   * record waits out several probes, so the next probes try other records: a few bad ones must not
   * hide the good ones behind them.
   */
  retryUnproven(message: string): { notBefore: number; pausedUntil: number | null } {
    if (!this.breakerDue) {
      return { notBefore: this.opts.now() + backoffDelay(this.refusedUnproven, this.transient, { random: this.opts.random }), pausedUntil: null };
    }
    const pausedUntil = this.trip(message);
    return { notBefore: pausedUntil + this.account.capMs, pausedUntil };
  }

  private resume(): void {
    if (this.pause === null) return;
    this.opts.logger.info({ event: 'dispatch.resumed', pausedMs: this.opts.now() - this.pause.since }, 'sending resumed: the account works again');
    this.pause = null;
    this.accountStreak = 0;
    this.opts.emit({ type: 'resumed' });
  }
}
