import { describe, expect, it } from 'vitest';
import { keyOf, type IysRecord } from '../../shared/iys-record.ts';
import { keysOf, stateIssues, type Judged } from '../../server/intake/batch-states.ts';
import type { LatestRecord } from '../../server/stores/store.ts';

const PHONE = '+905321234567';
const at = (minute: number) => `2026-11-26 10:${String(minute).padStart(2, '0')}:00`;
const rec = (status: IysRecord['status'], minute: number, over: Partial<IysRecord> = {}): IysRecord => ({
  recipient: PHONE, recipientType: 'BIREYSEL', type: 'MESAJ', status, source: 'HS_CAGRI_MERKEZI', consentDate: at(minute), ...over,
});
const batch = (...records: IysRecord[]): Judged[] => records.map((record, index) => ({ index, record }));
const KEY = keyOf(rec('ONAY', 0));
const ledger = (status: IysRecord['status'], minute: number, state: LatestRecord['state'] = 'registered') =>
  new Map<string, LatestRecord>([[KEY, { id: '01LEDGER', status, consentDate: at(minute), state }]]);
const paths = (issues: ReturnType<typeof stateIssues>) => issues.flatMap((i) => i.issues.map((x) => `${i.index}.${x.path}`));

describe('stateIssues: a batch judged by the İYS state rules', () => {
  it('allows ONAY then RET (in consentDate order, whatever the batch order), and RET after a ledger ONAY', () => {
    expect(stateIssues(batch(rec('RET', 20), rec('ONAY', 10)), new Map())).toEqual([]);
    expect(stateIssues(batch(rec('RET', 20)), ledger('ONAY', 5, 'pending'))).toEqual([]);
    expect(stateIssues(batch(rec('ONAY', 20)), ledger('RET', 5))).toEqual([]);
  });

  it('refuses RET as the first record of a key, HS_KARAR included, on status', () => {
    const issues = stateIssues(batch(rec('RET', 10), rec('RET', 11, { source: 'HS_KARAR', type: 'ARAMA' })), new Map());
    expect(paths(issues)).toEqual(['0.status', '1.status']);
    expect(issues[0]!.issues[0]!.message).toMatch(/RET cannot be the first record/);
  });

  it('refuses a second ONAY of one key in the batch as redundant, naming the first', () => {
    const issues = stateIssues(batch(rec('ONAY', 10), rec('ONAY', 12)), new Map());
    expect(paths(issues)).toEqual(['1.status']);
    expect(issues[0]!.issues[0]!.message).toMatch(/ONAY after ONAY: records\.0 \(ONAY\)/);
  });

  it('refuses an exact duplicate row, naming the row it repeats', () => {
    const issues = stateIssues(batch(rec('ONAY', 10), rec('RET', 20), rec('ONAY', 10)), new Map());
    expect(paths(issues)).toEqual(['2.consentDate']);
    expect(issues[0]!.issues[0]!.message).toMatch(/repeats records\.0/);
  });

  it('refuses ONAY after the ledger’s ONAY, pending or registered, and RET after its RET', () => {
    for (const state of ['pending', 'registered'] as const) {
      const issues = stateIssues(batch(rec('ONAY', 30)), ledger('ONAY', 5, state));
      expect(paths(issues)).toEqual(['0.status']);
      expect(issues[0]!.issues[0]!.message).toContain(`the ledger's ${state} ONAY record 01LEDGER`);
    }
    expect(paths(stateIssues(batch(rec('RET', 30)), ledger('RET', 5)))).toEqual(['0.status']);
  });

  it('refuses a record not later than the one before it, on consentDate', () => {
    const issues = stateIssues(batch(rec('RET', 5)), ledger('ONAY', 5));
    expect(paths(issues)).toEqual(['0.consentDate']);
    expect(issues[0]!.issues[0]!.message).toMatch(/must be later than/);
    expect(paths(stateIssues(batch(rec('ONAY', 10), rec('RET', 10)), new Map()))).toEqual(['1.consentDate']);
  });

  it('judges the records after a refused one against the last good one', () => {
    // ONAY, ONAY (redundant), RET: the RET follows the first ONAY and is fine.
    expect(paths(stateIssues(batch(rec('ONAY', 10), rec('ONAY', 11), rec('RET', 12)), new Map()))).toEqual(['1.status']);
  });

  it('keeps keys apart, and names other records as the caller wants', () => {
    const other = rec('ONAY', 10, { type: 'ARAMA' });
    expect(stateIssues(batch(rec('ONAY', 10), other), new Map())).toEqual([]);
    expect(keysOf(batch(rec('ONAY', 10), other, rec('RET', 20)))).toEqual([KEY, keyOf(other)]);
    const issues = stateIssues(batch(rec('ONAY', 10), rec('ONAY', 12)), new Map(), (i) => `line ${i + 2}`);
    expect(issues[0]!.issues[0]!.message).toContain('line 2 (ONAY)');
  });
});
