import type { ShowOutcomeKind } from '../iletimerkezi/outcome.ts';
import type { DriftKind } from '../stores/store.ts';

/** Why a look-up was made. */
export const PURPOSES = ['doubt', 'refusal', 'confirmation', 'verification', 'sweep'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** What read-back reports through its onEvent (the metrics, the tests). */
export type ReadbackEvent =
  | { type: 'lookup'; purpose: Purpose; outcome: ShowOutcomeKind; ms: number }
  /** A difference between İYS and the ledger, by kind (an observed record for status/record). */
  | { type: 'drift'; kind: DriftKind }
  /** A lost request settled: by reading İYS, or given back to the dispatcher's inference. */
  | { type: 'doubt-resolved'; method: 'read-back' | 'inference'; stored: boolean | null; lookups: number; records: number }
  | { type: 'confirmed'; count: number };

export type EmitReadback = (e: ReadbackEvent) => void;
