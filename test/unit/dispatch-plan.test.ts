import { describe, expect, it } from 'vitest';
import { planSends } from '../../server/dispatch/plan.ts';
import { isInDoubt } from '../../server/dispatch/doubt.ts';
import { keyOf } from '../../shared/iys-record.ts';
import { DEADLINE_MS, formatTurkeyTime } from '../../shared/turkey-time.ts';
import { UNCHECKED, type StoredRecord } from '../../server/stores/store.ts';

const NOW = 1_800_000_000_000;
let n = 0;
function stored(over: Partial<StoredRecord> = {}): StoredRecord {
  const consentDate = over.consentDate ?? formatTurkeyTime(NOW - 60_000);
  return {
    id: `r${++n}`, recipient: `+90532${String(n).padStart(7, '0')}`, recipientType: 'BIREYSEL', type: 'MESAJ', status: 'ONAY',
    source: 'HS_WEB', consentDate, state: 'pending', deadlineAt: NOW - 60_000 + DEADLINE_MS, receivedAt: NOW, attempts: 0,
    reason: null, registeredAt: null, doubt: null, requeueOf: null, ...UNCHECKED, ...over,
  };
}

describe('planSends', () => {
  it('sends allowed records together, suspects each alone, in-doubt ones in their own batch, expired ones never', () => {
    const ok = [stored(), stored()];
    const again = stored();
    const firstRet = stored({ status: 'RET' });
    const doubtful = stored({ doubt: 'sending' });
    const late = stored({ deadlineAt: NOW });
    const beliefs = new Map([[keyOf(again), { status: 'ONAY' as const, consentDate: formatTurkeyTime(NOW - 3600_000) }]]);
    const plan = planSends([...ok, again, firstRet, doubtful, late], beliefs, { now: NOW, inDoubt: isInDoubt });
    expect(plan.expired).toEqual([late]);
    expect(plan.sends.map((s) => s.records)).toEqual([ok, [doubtful], [again], [firstRet]]);
    expect(plan.sends[0]!.apart).toBeNull();
    expect(plan.sends[1]!.inDoubt).toBe(true);
    expect(plan.sends[2]!.apart).toMatch(/ONAY after ONAY/);
    expect(plan.sends[3]!.apart).toMatch(/cannot be RET/);
  });
  it('sends a RET after a registered ONAY with the batch', () => {
    const ret = stored({ status: 'RET' });
    const beliefs = new Map([[keyOf(ret), { status: 'ONAY' as const, consentDate: formatTurkeyTime(NOW - 3600_000) }]]);
    const plan = planSends([ret, stored()], beliefs, { now: NOW, inDoubt: isInDoubt });
    expect(plan.sends).toHaveLength(1);
  });
});

describe('isInDoubt', () => {
  it('holds for a record sent without a recorded answer, or marked after a lost answer', () => {
    expect(isInDoubt({ state: 'pending', doubt: 'sending' })).toBe(true);
    expect(isInDoubt({ state: 'pending', doubt: 'lost' })).toBe(true);
    expect(isInDoubt({ state: 'pending', doubt: null })).toBe(false);
    expect(isInDoubt({ state: 'registered', doubt: 'sending' })).toBe(false);
  });

  it('holds for a pending record whose last line says İYS has it (a crash before the state was written)', () => {
    expect(isInDoubt({ state: 'pending', doubt: 'stored' })).toBe(true);
    expect(isInDoubt({ state: 'registered', doubt: 'stored' })).toBe(false);
  });
});
