import type { ConsentStatus } from './enums.ts';
import { parseTurkeyTime } from './turkey-time.ts';

/** What is believed about one registry key (brand + recipient + recipientType + type). */
export type KeyBelief = { status: ConsentStatus; consentDate: string } | undefined;
export type StateCandidate = { status: ConsentStatus; consentDate: string };

export type StateVerdict =
  | { verdict: 'allowed' }
  /** ONAY after ONAY: nothing new to register; İYS refuses it, but the consent is already there. */
  | { verdict: 'redundant'; reason: string }
  | { verdict: 'refused'; reason: string };

/**
 * The İYS state rules: the first record of a key cannot be RET, ONAY cannot follow ONAY,
 * RET cannot follow RET, and a new record must be later than the stored one.
 */
export function judgeTransition(current: KeyBelief, next: StateCandidate): StateVerdict {
  if (current === undefined) {
    return next.status === 'RET'
      ? { verdict: 'refused', reason: 'the first record of a recipient and channel cannot be RET' }
      : { verdict: 'allowed' };
  }
  const before = parseTurkeyTime(current.consentDate);
  const after = parseTurkeyTime(next.consentDate);
  if (before === undefined || after === undefined) {
    return { verdict: 'refused', reason: 'consentDate is not a Turkey time' };
  }
  if (after <= before) {
    return { verdict: 'refused', reason: `consentDate ${next.consentDate} is not later than the stored ${current.consentDate}` };
  }
  if (current.status === next.status) {
    return next.status === 'ONAY'
      ? { verdict: 'redundant', reason: 'ONAY after ONAY: the consent is already registered' }
      : { verdict: 'refused', reason: 'RET after RET: the refusal is already registered' };
  }
  return { verdict: 'allowed' };
}
