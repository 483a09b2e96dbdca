/**
 * The tiny recipient normaliser shared by the widget and the server's schemas.
 * It knows Turkish numbering only as far as İYS needs: ten national digits after +90,
 * the first one 2–5 or 8 (geographic, mobile, 850/444-style), mobile numbers start with 5.
 */

export type NormalisedRecipient =
  | { kind: 'phone'; value: string; mobile: boolean }
  | { kind: 'email'; value: string };

/** `code` lets the widget show its own translated text; `message` is for API clients. */
export type RecipientProblemCode = 'empty' | 'phone-chars' | 'phone-country' | 'phone-length' | 'phone-range' | 'email-length' | 'email-format';
export type RecipientProblem = { ok: false; code: RecipientProblemCode; message: string };
export type RecipientResult = ({ ok: true } & NormalisedRecipient) | RecipientProblem;

export const PHONE_PATTERN = /^\+90[2-58]\d{9}$/;
export const MOBILE_PATTERN = /^\+905\d{9}$/;
// İYS: ASCII, no spaces, 6–265 characters, at least x@xx.xx.
export const EMAIL_PATTERN = /^[\x21-\x3f\x41-\x7e]+@[\x21-\x3f\x41-\x7e]{2,}\.[A-Za-z]{2,}$/;
const EMAIL_MIN = 6;
const EMAIL_MAX = 265;

// Separators people type inside a phone number; anything else is not a phone.
const PHONE_SEPARATORS = /[\s().\-/\u00a0]/g;

export function normalisePhone(raw: string): RecipientResult {
  const compact = raw.trim().replace(PHONE_SEPARATORS, '');
  if (!/^\+?\d+$/.test(compact)) return { ok: false, code: 'phone-chars', message: 'a phone number may hold only digits, spaces, dashes, dots and brackets' };
  let national: string;
  if (compact.startsWith('+')) {
    if (!compact.startsWith('+90')) return { ok: false, code: 'phone-country', message: 'only Turkish numbers (+90) can be registered with İYS' };
    national = compact.slice(3);
  } else if (compact.startsWith('0090')) {
    national = compact.slice(4);
  } else if (compact.startsWith('0')) {
    national = compact.slice(1); // the trunk prefix
  } else if (compact.length === 12 && compact.startsWith('90')) {
    national = compact.slice(2);
  } else {
    national = compact;
  }
  if (national.startsWith('0') && national.length === 11) national = national.slice(1); // "+90 (0532) …"
  if (national.length !== 10) return { ok: false, code: 'phone-length', message: 'a Turkish phone number has 10 digits after the 0 (e.g. 0532 123 45 67)' };
  const value = `+90${national}`;
  if (!PHONE_PATTERN.test(value)) return { ok: false, code: 'phone-range', message: 'not a Turkish phone number (the area code must start with 2, 3, 4, 5 or 8)' };
  return { ok: true, kind: 'phone', value, mobile: MOBILE_PATTERN.test(value) };
}

export function normaliseEmail(raw: string): RecipientResult {
  const value = raw.trim().toLowerCase();
  if (value.length < EMAIL_MIN || value.length > EMAIL_MAX) {
    return { ok: false, code: 'email-length', message: `an e-mail address has ${EMAIL_MIN} to ${EMAIL_MAX} characters` };
  }
  if (!EMAIL_PATTERN.test(value)) return { ok: false, code: 'email-format', message: 'not an e-mail address İYS accepts (ASCII only, no spaces, like name@example.com)' };
  return { ok: true, kind: 'email', value };
}

/** An e-mail if it has an @, else a phone. */
export function normaliseRecipient(raw: string): RecipientResult {
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, code: 'empty', message: 'the recipient is empty' };
  return raw.includes('@') ? normaliseEmail(raw) : normalisePhone(raw);
}

/** For logs: +90532*****67, a***@example.com. Never log a full recipient. */
export function maskRecipient(value: string): string {
  if (value.includes('@')) {
    const [local = '', domain = ''] = value.split('@');
    return `${local.slice(0, 1)}***@${domain}`;
  }
  if (value.length < 8) return '***';
  return `${value.slice(0, 6)}${'*'.repeat(value.length - 8)}${value.slice(-2)}`;
}
