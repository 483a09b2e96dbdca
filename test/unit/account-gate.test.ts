import { describe, expect, it } from 'vitest';
import { AccountGate, PAUSE_WORDS, pauseWordsOf } from '../../server/dispatch/account-gate.ts';
import type { DispatcherEvent } from '../../server/dispatch/events.ts';
import { silentLogger } from '../../server/log/logger.ts';

const TRANSIENT = { baseMs: 100, capMs: 1_000 };
const ACCOUNT = { baseMs: 1_000, capMs: 10_000 };

/** A gate on a clock the test moves; random() = 1 makes every back-off its ceiling, base·2^n. */
function gateAt(start = 1_000) {
  const clock = { t: start };
  const events: DispatcherEvent[] = [];
  const gate = new AccountGate({
    logger: silentLogger, now: () => clock.t, random: () => 1, emit: (e) => void events.push(e),
    transientBackoff: TRANSIENT, accountBackoff: ACCOUNT,
  });
  return { gate, events, clock };
}

describe('the account gate: pauses', () => {
  it('pauses on an account answer with its words, tells once per code, probes with a growing back-off', () => {
    const { gate, events, clock } = gateAt();
    expect(gate.enterPause(401, 'Unauthorized')).toBe(2_000);
    expect(gate.paused).toEqual({ code: 401, reason: PAUSE_WORDS[401].reason, since: 1_000, until: 2_000 });
    expect(gate.closedUntil(1_999)).toBe(2_000);
    expect(gate.closedUntil(2_000)).toBeNull();
    clock.t = 2_000;
    expect(gate.enterPause(401, 'Unauthorized')).toBe(4_000);
    expect(gate.paused?.since).toBe(1_000);
    expect(events).toEqual([{ type: 'paused', code: 401, reason: PAUSE_WORDS[401].reason }]);
    gate.enterPause(405, 'quota');
    expect(events.at(-1)).toEqual({ type: 'paused', code: 405, reason: PAUSE_WORDS[405].reason });
  });

  it('resumes on an acceptance, and the next pause starts its back-off afresh', () => {
    const { gate, events } = gateAt();
    gate.enterPause(403, 'no brand');
    gate.enterPause(403, 'no brand');
    gate.onAccepted();
    expect(gate.paused).toBeNull();
    expect(events.at(-1)).toEqual({ type: 'resumed' });
    expect(gate.enterPause(403, 'no brand')).toBe(2_000);
  });

  it('a refusal (422) resumes an account pause, but not the breaker\'s', () => {
    const { gate, events } = gateAt();
    gate.enterPause(401, 'Unauthorized');
    gate.onRefused();
    expect(gate.paused).toBeNull();
    expect(events.at(-1)).toEqual({ type: 'resumed' });
    gate.trip('brandCode not yours');
    gate.onRefused();
    expect(gate.paused?.code).toBe(422);
  });
});

describe('the account gate: the service-wide back-off', () => {
  it('holds every send after a transient answer, growing with the streak, never before Retry-After', () => {
    const { gate } = gateAt();
    expect(gate.backOff()).toEqual({ delay: 100, until: 1_100 });
    expect(gate.closedUntil(1_050)).toBe(1_100);
    expect(gate.backOff().delay).toBe(200);
    expect(gate.backOff(5_000)).toEqual({ delay: 5_000, until: 6_000 });
    // An answer that shows the service works ends the streak, not a hold-off already promised.
    gate.onRefused();
    expect(gate.backOff()).toEqual({ delay: 100, until: 1_100 });
    expect(gate.closedUntil(2_000)).toBe(6_000);
    expect(gate.closedUntil(6_000)).toBeNull();
  });
});

describe('the account gate: the circuit breaker', () => {
  it('does not judge records refused alone before any acceptance; the third such refusal pauses with 422', () => {
    const { gate, events } = gateAt();
    expect(gate.refusedAlone(false)).toBe('unproven');
    expect(gate.retryUnproven('refused')).toEqual({ notBefore: 1_000 + 200, pausedUntil: null });
    expect(gate.refusedAlone(false)).toBe('unproven');
    expect(gate.breakerDue).toBe(false);
    expect(gate.refusedAlone(false)).toBe('unproven');
    expect(gate.breakerDue).toBe(true);
    // The record refused last waits out several probes, so the next probes try other records.
    expect(gate.retryUnproven('refused')).toEqual({ notBefore: 2_000 + ACCOUNT.capMs, pausedUntil: 2_000 });
    expect(gate.paused?.code).toBe(422);
    expect(gate.paused?.reason).toMatch(/IYS_BRAND_CODE/);
    expect(events).toEqual([{ type: 'paused', code: 422, reason: PAUSE_WORDS[422].reason }]);
  });

  it('judges a record in doubt by its own rule, without counting it', () => {
    const { gate } = gateAt();
    for (let i = 0; i < 5; i++) expect(gate.refusedAlone(true)).toBe('judge');
    expect(gate.breakerDue).toBe(false);
  });

  it('counts refused controls toward the breaker', () => {
    const { gate } = gateAt();
    gate.refusedAlone(false);
    gate.controlRefused();
    expect(gate.breakerDue).toBe(false);
    gate.controlRefused();
    expect(gate.breakerDue).toBe(true);
  });

  it('after an acceptance a refusal alone is the record\'s own, until the next pause', () => {
    const { gate } = gateAt();
    gate.refusedAlone(false);
    gate.refusedAlone(false);
    gate.onAccepted();
    expect(gate.proven).toBe(true);
    expect(gate.refusedAlone(false)).toBe('judge');
    expect(gate.breakerDue).toBe(false);
    gate.enterPause(405, 'quota');
    expect(gate.proven).toBe(false);
    expect(gate.refusedAlone(false)).toBe('unproven');
  });
});

describe('the pause words', () => {
  it('are found by the code a label carries, and only for a code that pauses', () => {
    expect(pauseWordsOf('401')).toBe(PAUSE_WORDS[401]);
    expect(pauseWordsOf('422')?.advice).toMatch(/IYS_BRAND_CODE/);
    expect(pauseWordsOf('599')).toBeUndefined();
    expect(pauseWordsOf('constructor')).toBeUndefined();
  });
});

describe("the account gate: the operator's pause", () => {
  it('holds sending closed, over any back-off or account pause, until the operator resumes', () => {
    const { gate, clock } = gateAt();
    expect(gate.holdByOperator()).toBe(true);
    expect(gate.holdByOperator()).toBe(false);
    expect(gate.heldByOperator).toEqual({ since: 1_000 });
    clock.t = 1_000_000;
    expect(gate.closedUntil(clock.t)).toBe(Number.POSITIVE_INFINITY);
    // An acceptance (a request already on the wire when the operator paused) does not lift it.
    gate.onAccepted();
    expect(gate.closedUntil(clock.t)).toBe(Number.POSITIVE_INFINITY);
    expect(gate.releaseByOperator()).toBe(true);
    expect(gate.releaseByOperator()).toBe(false);
    expect(gate.heldByOperator).toBeNull();
    expect(gate.closedUntil(clock.t)).toBeNull();
  });

  it('leaves an account pause to its probes once resumed, and has words of its own', () => {
    const { gate } = gateAt();
    gate.enterPause(405, 'quota');
    gate.holdByOperator();
    gate.releaseByOperator();
    expect(gate.paused?.code).toBe(405);
    expect(gate.closedUntil(1_000)).toBe(2_000);
    expect(pauseWordsOf('operator')).toBe(PAUSE_WORDS.operator);
    expect(PAUSE_WORDS.operator.advice).toMatch(/POST \/v1\/admin\/sending\/pause/);
  });

  it('reports the transient hold-off while it lasts', () => {
    const { gate, clock } = gateAt();
    expect(gate.backoffUntil(clock.t)).toBeNull();
    const { until } = gate.backOff();
    expect(gate.backoffUntil(clock.t)).toBe(until);
    expect(gate.backoffUntil(until)).toBeNull();
  });
});
