import type { DispatcherStatus } from '../dispatch/dispatcher.ts';
import type { DispatcherEvent } from '../dispatch/events.ts';
import type { IysReachability } from './iys-reachability.ts';
import type { Metrics, PauseStatus } from './metrics.ts';

/**
 * The dispatcher's onEvent, feeding the metrics and, when given, the reachability of iletiMerkezi:
 * `createDispatcher({ …, onEvent: dispatcherMetrics(metrics, reachability) })`.
 */
export function dispatcherMetrics(metrics: Metrics, reachability?: Pick<IysReachability, 'observe'>): (e: DispatcherEvent) => void {
  return (e) => {
    reachability?.observe(e);
    if (e.type === 'request') metrics.observeRequest(e.outcome, e.size, e.ms);
    if (e.type === 'registered') for (const ms of e.latenciesMs) metrics.observeDispatch(ms);
  };
}

/**
 * The dispatcher's status as the pause gauge and /healthz read it; the reason is `operator` while the
 * operator holds sending, else iletiMerkezi's code (401/403/405, or 422 when it refused every record).
 */
export function pauseStatusOf(status: DispatcherStatus): PauseStatus {
  if (status.heldByOperator) return { paused: true, reason: 'operator' };
  return status.paused ? { paused: true, reason: String(status.paused.code) } : { paused: false };
}
