import { describe, expect, it } from 'vitest';
import { checkRecipient } from '../../server/intake/recipient-check.ts';
import { EMAIL_CASES, PHONE_CASES } from '../fixtures/recipient-cases.ts';

describe('checkRecipient (server, libphonenumber-backed)', () => {
  it.each(PHONE_CASES)('phone $input → $expected', ({ input, expected, mobile }) => {
    const r = checkRecipient(input);
    if (expected === null) {
      expect(r.ok).toBe(false);
    } else {
      expect(r).toMatchObject({ ok: true, kind: 'phone', value: expected, mobile });
    }
  });

  it.each(EMAIL_CASES)('e-mail $input → $expected', ({ input, expected, code }) => {
    const r = checkRecipient(input);
    if (expected === null) expect(r).toMatchObject({ ok: false, code });
    else expect(r).toMatchObject({ ok: true, kind: 'email', value: expected });
  });

  it.each([
    ['0592 123 45 67', 'an unallocated 59x mobile range'],
    ['0200 123 45 67', 'an unallocated 200 area code'],
    ['0561 123 45 67', 'an unallocated 56x range'],
  ])('refuses %s (%s) that the shared normaliser lets through', (input) => {
    const r = checkRecipient(input);
    expect(r).toMatchObject({ ok: false, code: 'phone-range' });
  });

  it('keeps non-mobile numbers valid but not mobile (MESAJ will refuse them)', () => {
    expect(checkRecipient('0850 222 33 44')).toMatchObject({ ok: true, mobile: false });
    expect(checkRecipient('0800 123 45 67')).toMatchObject({ ok: true, mobile: false });
  });
});
