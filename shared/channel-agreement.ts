import type { Channel } from './enums.ts';

/** The kind of recipient a channel needs. */
export type RecipientNeed = 'email' | 'phone' | 'mobile';

/**
 * The İYS rule that ties a channel to its recipient: EPOSTA needs an e-mail address, MESAJ and ARAMA
 * a phone number, and MESAJ a mobile one. Returns what `channel` needs that `recipient` is not, or
 * undefined when they agree. Pure and zod-free: the record schema, the web intake and the widget all
 * ask it, each in its own words.
 */
export function unmetRecipientNeed(channel: Channel, recipient: { kind: 'phone' | 'email'; mobile?: boolean }): RecipientNeed | undefined {
  if (channel === 'EPOSTA') return recipient.kind === 'email' ? undefined : 'email';
  if (recipient.kind === 'email') return 'phone';
  return channel === 'MESAJ' && !recipient.mobile ? 'mobile' : undefined;
}
