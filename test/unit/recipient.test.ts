import { describe, expect, it } from 'vitest';
import { maskRecipient, normaliseEmail, normalisePhone, normaliseRecipient } from '../../shared/recipient.ts';
import { EMAIL_CASES, PHONE_CASES } from '../fixtures/recipient-cases.ts';

describe('shared recipient normaliser', () => {
  it.each(PHONE_CASES)('phone $input → $expected', ({ input, expected, mobile, code }) => {
    const r = normaliseRecipient(input);
    if (expected === null) {
      expect(r.ok).toBe(false);
      if (!r.ok && code) expect(r.code).toBe(code);
      if (!r.ok) expect(r.message.length).toBeGreaterThan(10);
    } else {
      expect(r).toEqual({ ok: true, kind: 'phone', value: expected, mobile });
    }
  });

  it.each(EMAIL_CASES)('e-mail $input → $expected', ({ input, expected, code }) => {
    const r = normaliseRecipient(input);
    if (expected === null) {
      expect(r.ok).toBe(false);
      if (!r.ok && code) expect(r.code).toBe(code);
    } else {
      expect(r).toEqual({ ok: true, kind: 'email', value: expected });
    }
  });

  it('normalisePhone refuses what has an @ and normaliseEmail refuses a phone', () => {
    expect(normalisePhone('a@b.com').ok).toBe(false);
    expect(normaliseEmail('05321234567').ok).toBe(false);
  });

  it.each([
    ['+905321234567', '+90532*****67'],
    ['+902125551234', '+90212*****34'],
    ['ayse@example.com', 'a***@example.com'],
    ['short', '***'],
  ])('masks %s as %s', (value, masked) => {
    expect(maskRecipient(value)).toBe(masked);
  });
});
