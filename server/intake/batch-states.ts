import { keyOf, type IysRecord } from '../../shared/iys-record.ts';
import type { FieldIssue } from '../../shared/issues.ts';
import { judgeTransition, type KeyBelief } from '../../shared/state-rules.ts';
import { parseTurkeyTime } from '../../shared/turkey-time.ts';
import type { LatestRecord } from '../stores/store.ts';

/**
 * The İYS state rules applied to a batch before anything is stored: each record is judged against
 * what İYS will hold for its key when it is sent, which is the ledger's latest live record of the
 * key (registered, or pending ahead of it in the outbox) followed by the batch's own earlier records,
 * in consentDate order, the order the dispatcher sends them in. A record İYS would refuse (RET
 * first, RET after RET, not later than the record before) or that would be redundant (ONAY after
 * ONAY) is named with the field to look at; such a batch is refused whole, like any bad batch.
 * Pure: the caller reads `latest` from store.latestOfKeys(keysOf(…)).
 */

export type Judged = { index: number; record: IysRecord };
export type StateIssue = { index: number; issues: FieldIssue[] };

export function keysOf(records: readonly Judged[]): string[] {
  return [...new Set(records.map((r) => keyOf(r.record)))];
}

type Before = { belief: NonNullable<KeyBelief>; from: { index: number } | { ledger: LatestRecord } };

/** `nameOf` says how a message refers to another record of the batch (the import says "line 7"). */
export function stateIssues(
  records: readonly Judged[],
  latest: ReadonlyMap<string, LatestRecord>,
  nameOf: (index: number) => string = (i) => `records.${i}`,
): StateIssue[] {
  const byKey = new Map<string, Judged[]>();
  for (const r of records) {
    const key = keyOf(r.record);
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
  }
  const out: StateIssue[] = [];
  for (const [key, list] of byKey) {
    const ms = (r: Judged) => parseTurkeyTime(r.record.consentDate) ?? 0;
    list.sort((a, b) => ms(a) - ms(b) || a.index - b.index);
    const stored = latest.get(key);
    let before: Before | undefined = stored ? { belief: { status: stored.status, consentDate: stored.consentDate }, from: { ledger: stored } } : undefined;
    for (const r of list) {
      const issue = judgeOne(r.record, before, nameOf);
      if (issue) out.push({ index: r.index, issues: [issue] });
      // A refused record will not be sent: the next one follows the last good one.
      else before = { belief: { status: r.record.status, consentDate: r.record.consentDate }, from: { index: r.index } };
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

function judgeOne(r: IysRecord, before: Before | undefined, nameOf: (index: number) => string): FieldIssue | undefined {
  const verdict = judgeTransition(before?.belief, r);
  if (verdict.verdict === 'allowed') return undefined;
  if (before === undefined) {
    return { path: 'status', message: 'RET cannot be the first record of this recipient and channel: the ledger holds no consent to withdraw, and İYS refuses it' };
  }
  const what = describe(before, nameOf);
  const b = before.belief;
  if (b.status === r.status && b.consentDate === r.consentDate && 'index' in before.from) {
    return { path: 'consentDate', message: `repeats ${nameOf(before.from.index)} (same recipient, type, status and consentDate): leave one of them out` };
  }
  if ((parseTurkeyTime(r.consentDate) ?? 0) <= (parseTurkeyTime(b.consentDate) ?? 0)) {
    return { path: 'consentDate', message: `must be later than ${what} (${b.consentDate}): İYS takes a key's records only in time order` };
  }
  if (verdict.verdict === 'redundant') {
    return { path: 'status', message: `ONAY after ONAY: ${what} already gives this consent; leave this record out` };
  }
  return { path: 'status', message: `RET after RET: ${what} already withdraws this consent; leave this record out` };
}

function describe(before: Before, nameOf: (index: number) => string): string {
  if ('index' in before.from) return `${nameOf(before.from.index)} (${before.belief.status})`;
  const l = before.from.ledger;
  return `the ledger's ${l.state} ${l.status} record ${l.id}`;
}
