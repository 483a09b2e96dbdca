import { describe, expect, it } from 'vitest';
import { judgeTransition, type KeyBelief, type StateCandidate } from '../../shared/state-rules.ts';

const at = (status: 'ONAY' | 'RET', consentDate: string) => ({ status, consentDate });
const T1 = '2026-11-25 10:00:00';
const T2 = '2026-11-26 10:00:00';

const CASES: [string, KeyBelief, StateCandidate, 'allowed' | 'redundant' | 'refused', RegExp | null][] = [
  ['first record ONAY', undefined, at('ONAY', T1), 'allowed', null],
  ['first record RET', undefined, at('RET', T1), 'refused', /first record .* cannot be RET/],
  ['RET after ONAY', at('ONAY', T1), at('RET', T2), 'allowed', null],
  ['ONAY after RET', at('RET', T1), at('ONAY', T2), 'allowed', null],
  ['ONAY after ONAY', at('ONAY', T1), at('ONAY', T2), 'redundant', /ONAY after ONAY/],
  ['RET after RET', at('RET', T1), at('RET', T2), 'refused', /RET after RET/],
  ['RET at the same second as the ONAY', at('ONAY', T1), at('RET', T1), 'refused', /not later/],
  ['RET earlier than the ONAY', at('ONAY', T2), at('RET', T1), 'refused', /not later/],
  ['ONAY one second after RET', at('RET', '2026-11-26 10:00:00'), at('ONAY', '2026-11-26 10:00:01'), 'allowed', null],
  ['ONAY after ONAY but earlier', at('ONAY', T2), at('ONAY', T1), 'refused', /not later/],
  ['a malformed date', at('ONAY', T1), at('RET', '2026-11-26T10:00:00'), 'refused', /not a Turkey time/],
];

describe('İYS state rules', () => {
  it.each(CASES)('%s → %s', (_name, current, next, verdict, reason) => {
    const v = judgeTransition(current, next);
    expect(v.verdict).toBe(verdict);
    if (reason) expect(v).toMatchObject({ reason: expect.stringMatching(reason) });
  });
});
