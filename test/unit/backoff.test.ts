import { describe, expect, it } from 'vitest';
import { ACCOUNT_BACKOFF, TRANSIENT_BACKOFF, backoffDelay } from '../../server/dispatch/backoff.ts';
import { AGE_WARNINGS_MS, ageOf, isExpired, NEAR_DEADLINE_MS, warningLevel } from '../../server/dispatch/deadline.ts';
import { SEND_MARGIN_MS } from '../../shared/sendability.ts';
import { DEADLINE_MS } from '../../shared/turkey-time.ts';

describe('backoffDelay', () => {
  it('grows exponentially between half and all of base·2^n', () => {
    const policy = { baseMs: 100, capMs: 1_000_000 };
    expect(backoffDelay(0, policy, { random: () => 0 })).toBe(50);
    expect(backoffDelay(0, policy, { random: () => 1 })).toBe(100);
    expect(backoffDelay(3, policy, { random: () => 0 })).toBe(400);
    expect(backoffDelay(3, policy, { random: () => 1 })).toBe(800);
  });
  it('is capped, even after very many attempts', () => {
    expect(backoffDelay(500, TRANSIENT_BACKOFF, { random: () => 1 })).toBe(TRANSIENT_BACKOFF.capMs);
    expect(backoffDelay(500, ACCOUNT_BACKOFF, { random: () => 1 })).toBe(ACCOUNT_BACKOFF.capMs);
  });
  it('never comes back before Retry-After', () => {
    expect(backoffDelay(0, TRANSIENT_BACKOFF, { random: () => 0, retryAfterMs: 30_000 })).toBe(30_000);
    expect(backoffDelay(10, { baseMs: 100, capMs: 200 }, { random: () => 1, retryAfterMs: 5 })).toBe(200);
  });
  it('spreads retries with jitter', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) seen.add(backoffDelay(4, TRANSIENT_BACKOFF));
    expect(seen.size).toBeGreaterThan(10);
  });
});

describe('deadline', () => {
  const consentAt = 1_800_000_000_000;
  const record = { source: 'HS_WEB' as const, deadlineAt: consentAt + DEADLINE_MS };
  it('is expired from SEND_MARGIN_MS (5 min) before the deadline on, not a millisecond earlier', () => {
    expect(SEND_MARGIN_MS).toBe(5 * 60_000);
    expect(isExpired(record, record.deadlineAt - SEND_MARGIN_MS - 1)).toBe(false);
    expect(isExpired(record, record.deadlineAt - SEND_MARGIN_MS)).toBe(true);
    expect(isExpired(record, record.deadlineAt - 1)).toBe(true);
  });
  it('warns at 24 h and 48 h of age', () => {
    expect(warningLevel(record, consentAt + AGE_WARNINGS_MS[0] - 1)).toBe(0);
    expect(warningLevel(record, consentAt + AGE_WARNINGS_MS[0])).toBe(AGE_WARNINGS_MS[0]);
    expect(warningLevel(record, consentAt + AGE_WARNINGS_MS[1] + 5)).toBe(AGE_WARNINGS_MS[1]);
  });
  it('calls a record near its deadline (/healthz) once it is past the last warning age: its last 24 h', () => {
    expect(NEAR_DEADLINE_MS).toBe(24 * 3600_000);
    const t = record.deadlineAt - NEAR_DEADLINE_MS;
    expect(ageOf(record, t)).toBe(AGE_WARNINGS_MS[1]);
    expect(warningLevel(record, t)).toBe(AGE_WARNINGS_MS[1]);
  });
});
