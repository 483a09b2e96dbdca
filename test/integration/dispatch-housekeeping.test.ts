import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPIRED_REASON } from '../../server/dispatch/deadline.ts';
import { DoubtBook } from '../../server/dispatch/doubt-book.ts';
import type { DispatcherEvent } from '../../server/dispatch/events.ts';
import { Housekeeping } from '../../server/dispatch/housekeeping.ts';
import { Settler } from '../../server/dispatch/settle.ts';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import { newRecord } from './dispatch-harness.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

const HOUR = 3600_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** Housekeeping on a real SQLite ledger in a temp dir, on a clock the test moves. */
async function rig() {
  const dir = mkdtempSync(join(tmpdir(), 'iys-housekeeping-'));
  const store = new SqliteStore(join(dir, 'ledger.db'));
  await store.init();
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const clock = { t: Date.now() };
  const now = () => clock.t;
  const { logger, lines } = captureLogger();
  const events: DispatcherEvent[] = [];
  const settler = new Settler({ store, logger, now, emit: (e) => void events.push(e), book: new DoubtBook() });
  const housekeeping = new Housekeeping({ store, logger, now, settler });
  const warnings = () => lines.filter((l) => l.event === 'dispatch.deadline-warning').map((l) => String(l.msg));
  return { store, clock, housekeeping, events, lines, warnings };
}

describe('housekeeping before each pass (SQLite ledger)', () => {
  it('warns once as the oldest pending record passes 24 h, once more at 48 h, and again for a new one after the queue emptied', async () => {
    const { store, clock, housekeeping, warnings } = await rig();
    const base = clock.t;
    const { ids: [old] } = await store.insert([newRecord({ now: base, agoMs: 23 * HOUR })]);

    expect((await housekeeping.run()).count).toBe(1);
    expect(housekeeping.pending).toBe(1);
    expect(housekeeping.oldestPendingAgeMs).toBeGreaterThanOrEqual(23 * HOUR);
    expect(warnings()).toEqual([]);

    clock.t = base + HOUR + 1_000;
    await housekeeping.run();
    await housekeeping.run();
    expect(warnings()).toEqual(['a pending record is over 24 h old: İYS must have it by 72 h']);

    clock.t = base + 25 * HOUR + 1_000;
    await housekeeping.run();
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]).toMatch(/over 48 h old/);

    await store.markRegistered([old!], clock.t);
    await housekeeping.run();
    expect(housekeeping.pending).toBe(0);
    expect(housekeeping.oldestPendingAgeMs).toBeNull();
    expect(warnings()).toHaveLength(2);

    await store.insert([newRecord({ now: clock.t, agoMs: 30 * HOUR })]);
    await housekeeping.run();
    expect(warnings()).toHaveLength(3);
    expect(warnings()[2]).toMatch(/over 24 h old/);
  });

  it('marks records past their deadline expired, says so, and leaves the others pending', async () => {
    const { store, clock, housekeeping, events, lines } = await rig();
    const past = newRecord({ now: clock.t, agoMs: 72 * HOUR + 60_000 });
    const near = newRecord({ now: clock.t, agoMs: 71 * HOUR });
    await store.insert([past, near]);

    const summary = await housekeeping.run();
    expect(summary.count).toBe(1);
    expect((await store.byRecipient(past.record.recipient))[0]).toMatchObject({ state: 'expired', reason: EXPIRED_REASON });
    expect((await store.byRecipient(near.record.recipient))[0]!.state).toBe('pending');
    expect(events).toEqual([{ type: 'expired', count: 1 }]);
    expect(lines.filter((l) => l.event === 'dispatch.expired')).toHaveLength(1);
    expect(EXPIRED_REASON).toBe('within 5 minutes of (or past) the 72-hour İYS deadline before it could be sent');
  });
});
