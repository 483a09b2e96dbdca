import type { OutcomeKind } from '../iletimerkezi/outcome.ts';

/** What the dispatcher reports through its onEvent (the metrics, the tests, the benchmark). */
export type DispatcherEvent =
  /** `code` null with a transient or ambiguous outcome: no answer came (refused connection, DNS, timeout); `message` says why. */
  | { type: 'request'; outcome: OutcomeKind; code: number | null; message: string; size: number; ms: number }
  /** `latenciesMs`: for each record, from the collector receiving it to İYS accepting it. */
  | { type: 'registered'; count: number; latenciesMs: number[] }
  | { type: 'rejected' | 'expired'; count: number }
  | { type: 'paused'; reason: string; code: number }
  | { type: 'resumed' };

export type Emit = (e: DispatcherEvent) => void;
