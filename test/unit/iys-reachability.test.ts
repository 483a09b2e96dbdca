import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DispatcherEvent } from '../../server/dispatch/events.ts';
import { IysReachability, UNREACHABLE_AFTER_MS } from '../../server/observability/iys-reachability.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

const refused: DispatcherEvent = { type: 'request', outcome: 'transient', code: null, message: 'connect ECONNREFUSED 203.0.113.9:443', size: 10, ms: 3 };
const timedOut: DispatcherEvent = { type: 'request', outcome: 'ambiguous', code: null, message: 'headers timeout after the request was sent', size: 10, ms: 30_000 };
const busy: DispatcherEvent = { type: 'request', outcome: 'transient', code: 503, message: 'Service Unavailable', size: 10, ms: 40 };
const accepted: DispatcherEvent = { type: 'request', outcome: 'accepted', code: 200, message: 'İşlem başarılı', size: 10, ms: 40 };

describe("iletiMerkezi's reachability, from the dispatcher's requests", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const warnings = (lines: Array<Record<string, unknown>>) => lines.filter((l) => l.level === 40).map((l) => l.event);

  it('is reachable until requests have had no answer for the whole threshold, then says so once, at warn', () => {
    const { logger, lines } = captureLogger();
    const r = new IysReachability({ logger });
    r.observe(refused);
    vi.advanceTimersByTime(UNREACHABLE_AFTER_MS - 1000);
    r.observe(timedOut);
    expect(r.status()).toEqual({ reachable: true });
    expect(warnings(lines)).toEqual([]);

    // Said at the threshold even though no request or /healthz came then.
    vi.advanceTimersByTime(1000);
    expect(warnings(lines)).toEqual(['iletimerkezi.unreachable']);
    const status = r.status();
    expect(status).toMatchObject({ reachable: false, lastError: 'headers timeout after the request was sent' });

    // More failures and more questions: no more lines.
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(10_000);
      r.observe(refused);
      r.status();
    }
    expect(warnings(lines)).toEqual(['iletimerkezi.unreachable']);

    // Any answer ends it, once.
    r.observe(accepted);
    r.observe(accepted);
    expect(r.status()).toEqual({ reachable: true });
    expect(warnings(lines)).toEqual(['iletimerkezi.unreachable', 'iletimerkezi.reachable']);
  });

  it('counts an answer of any code as reachable: a 503 is iletiMerkezi answering', () => {
    const { logger, lines } = captureLogger();
    const r = new IysReachability({ logger });
    r.observe(refused);
    vi.advanceTimersByTime(UNREACHABLE_AFTER_MS / 2);
    r.observe(busy);
    vi.advanceTimersByTime(UNREACHABLE_AFTER_MS);
    expect(r.status()).toEqual({ reachable: true });
    expect(warnings(lines)).toEqual([]);
  });

  it('says nothing when it recovers before the threshold', () => {
    const { logger, lines } = captureLogger();
    const r = new IysReachability({ logger });
    r.observe(refused);
    vi.advanceTimersByTime(5000);
    r.observe(accepted);
    vi.advanceTimersByTime(UNREACHABLE_AFTER_MS * 2);
    expect(r.status()).toEqual({ reachable: true });
    expect(lines.filter((l) => String(l.event).startsWith('iletimerkezi.'))).toEqual([]);
  });
});
