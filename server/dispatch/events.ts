import type { OutcomeKind } from '../iletimerkezi/outcome.ts';

/** What the dispatcher reports through its onEvent (the metrics, the tests, the benchmark). */
export type DispatcherEvent =
  | { type: 'request'; outcome: OutcomeKind; code: number | null; size: number; ms: number }
  /** `latenciesMs`: for each record, from the collector receiving it to İYS accepting it. */
  | { type: 'registered'; count: number; latenciesMs: number[] }
  | { type: 'rejected' | 'expired'; count: number }
  | { type: 'paused'; reason: string; code: number }
  | { type: 'resumed' };

export type Emit = (e: DispatcherEvent) => void;
