/**
 * Entry point: defines <iys-consent> and starts the outbox. Safe to import where there is no
 * browser (server-side rendering: nothing is defined) and safe to load twice (the first wins).
 */
import { IysConsent } from './iys-consent.ts';
import { startOutbox } from './sender.ts';

export { IysConsent };
export type { Channel, IysChangeDetail, IysConsentElement, IysErrorDetail, IysSentDetail, Lang } from './types.d.ts';

if (typeof window !== 'undefined' && window.customElements && !customElements.get('iys-consent')) {
  customElements.define('iys-consent', IysConsent);
  startOutbox();
}
