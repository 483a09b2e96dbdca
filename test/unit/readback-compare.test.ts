import { describe, expect, it } from 'vitest';
import { judgeLost, judgeRegistered, sameRecord } from '../../server/readback/compare.ts';
import type { ShownConsent } from '../../server/iletimerkezi/outcome.ts';

const OURS = { status: 'ONAY', consentDate: '2026-11-30 10:00:00' } as const;
const shown = (status: 'ONAY' | 'RET', consentDate: string, source: ShownConsent['source'] = 'HS_WEB'): ShownConsent => ({ status, source, consentDate, extras: {} });

describe('what one look-up says of a lost request\'s record (judgeLost)', () => {
  it.each([
    ['İYS shows exactly ours', shown('ONAY', OURS.consentDate), undefined, 'stored'],
    ['ours, with another source (İYS keeps its own)', shown('ONAY', OURS.consentDate, 'HS_FIZIKSEL_ORTAM'), undefined, 'stored'],
    ['nothing, and nothing was believed', null, undefined, 'unstored'],
    ['what the ledger believed before', shown('RET', '2026-11-29 09:00:00'), { status: 'RET', consentDate: '2026-11-29 09:00:00' }, 'unstored'],
    ['nothing, though a record was believed (İYS lost it?)', null, { status: 'RET', consentDate: '2026-11-29 09:00:00' }, 'unclear'],
    ['a record made elsewhere, neither ours nor the belief', shown('RET', '2026-11-30 10:05:00', 'IYS_3338'), undefined, 'unclear'],
    ['the same status at another date', shown('ONAY', '2026-11-30 09:00:00'), undefined, 'unclear'],
  ] as const)('%s → %s', (_what, seen, belief, verdict) => {
    expect(judgeLost(OURS, seen, belief)).toBe(verdict);
  });
});

describe('what one look-up says of a registered record (judgeRegistered)', () => {
  it('confirmed only with the same status and consentDate', () => {
    expect(judgeRegistered(OURS, shown('ONAY', OURS.consentDate), OURS)).toEqual({ kind: 'confirmed' });
    expect(judgeRegistered(OURS, null, OURS)).toEqual({ kind: 'absent' });
  });

  it("the ledger's own later record, or one made elsewhere (later or not, the other status or not)", () => {
    const ret = { status: 'RET', consentDate: '2026-11-30 11:00:00' } as const;
    expect(judgeRegistered(OURS, shown('RET', ret.consentDate), ret)).toEqual({ kind: 'ours-later' });
    expect(judgeRegistered(OURS, shown('RET', '2026-11-30 12:00:00', 'IYS_3338'), OURS)).toEqual({ kind: 'elsewhere', drift: 'status', later: true });
    expect(judgeRegistered(OURS, shown('ONAY', '2026-11-30 08:00:00', 'HS_FIZIKSEL_ORTAM'), OURS)).toEqual({ kind: 'elsewhere', drift: 'record', later: false });
  });

  it('sameRecord compares status and consentDate, never the source', () => {
    expect(sameRecord(OURS, shown('ONAY', OURS.consentDate, 'IYS_WEB'))).toBe(true);
    expect(sameRecord(OURS, null)).toBe(false);
    expect(sameRecord(OURS, { status: 'RET', consentDate: OURS.consentDate })).toBe(false);
  });
});
