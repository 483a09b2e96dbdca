import { maskRecipient } from '../../shared/recipient.ts';

/**
 * A recipient as it was typed, masked like maskRecipient masks a normalised one but keeping the
 * person's own spacing and signs: `0532 123 45 67` → `0532 *** ** 67` (the first four and the last
 * two digits shown). An e-mail address is masked as maskRecipient does.
 */
export function maskAsTyped(raw: string): string {
  if (raw.includes('@')) return maskRecipient(raw.trim());
  const digits = raw.replace(/\D/g, '').length;
  let seen = 0;
  return raw.replace(/\d/g, (d) => (++seen <= 4 || seen > digits - 2 ? d : '*'));
}
