import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normaliseRecipient, type RecipientResult } from '../../shared/recipient.ts';

/**
 * The server's recipient check: the shared normaliser (which the widget also runs) first, then
 * libphonenumber-js's full metadata, which knows which Turkish ranges are really allocated.
 * The widget stays tiny; the collector refuses what İYS would refuse days later.
 */
export function checkRecipient(raw: string): RecipientResult {
  const result = normaliseRecipient(raw);
  if (!result.ok || result.kind === 'email') return result;
  const parsed = parsePhoneNumberFromString(result.value);
  // With the full metadata a number is valid exactly when it has a type (isValid() is getType() !== undefined): ask once.
  const type = parsed?.country === 'TR' ? parsed.getType() : undefined;
  if (type === undefined) {
    return { ok: false, code: 'phone-range', message: 'not an allocated Turkish phone number' };
  }
  return { ...result, mobile: result.mobile && (type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE') };
}
