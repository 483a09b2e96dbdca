import type { IysRecord } from '../../shared/iys-record.ts';
import type { DispatchParts } from '../dispatch/handover.ts';
import type { ShowOutcome, ShownConsent } from '../iletimerkezi/outcome.ts';
import type { Logger } from '../log/logger.ts';
import type { ConsentStore } from '../stores/store.ts';
import type { EmitReadback, Purpose } from './events.ts';

/** What İYS said of a key: its record, none, or no usable answer (transient, account, unreadable). */
export type Seen = { ok: true; shown: ShownConsent | null } | { ok: false; outcome: Exclude<ShowOutcome, { kind: 'found' | 'none' }> };

/** What each of the lane's tasks works with. */
export type LaneTools = {
  store: ConsentStore;
  logger: Logger;
  now: () => number;
  emit: EmitReadback;
  /** The dispatcher's parts, once attached (null for a lane that only confirms and sweeps). */
  parts: () => DispatchParts | null;
  /** One paced look-up of a key. */
  lookUp(key: Pick<IysRecord, 'recipient' | 'recipientType' | 'type'>, purpose: Purpose): Promise<Seen>;
  /** Gives records the lane held back to the dispatcher, claimable at once, and wakes it. */
  giveBack(ids: string[]): Promise<void>;
};

/** A short account of a look-up that had no usable answer. */
export const unusable = (seen: Extract<Seen, { ok: false }>): string =>
  `${seen.outcome.kind}${seen.outcome.code !== null ? ` ${seen.outcome.code}` : ''}: ${seen.outcome.message}`;
