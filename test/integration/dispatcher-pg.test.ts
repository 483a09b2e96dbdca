import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../server/sandbox/index.ts';
import { openStore } from '../../server/stores/open-store.ts';
import type { ConsentStore } from '../../server/stores/store.ts';
import { PG_URL, pgAvailable, testSchema } from '../helpers/pg.ts';
import { ACCOUNT, settled, storedTwice } from './dispatch-harness.ts';
import {
  lostRequestFate, insertWorkload, killAllWorkers, killWithStoredRequestInFlight, outOfOrder, spawnWorker,
  startRoutedSandbox, type RoutedSandbox, type Worker,
} from './dispatch-workers.ts';

/**
 * Several collectors on one PostgreSQL ledger: three dispatcher processes share the work through
 * leases; one is SIGKILLed while İYS (the sandbox, strict about duplicates) has stored its request
 * but not answered it. Its lease runs out, another process takes the records over, finds them in
 * doubt and resolves them without storing anything twice or rejecting anything.
 */

const OWNERS = ['w1', 'w2', 'w3'];
const VICTIM = 'w2';
const LEASE_MS = 2_000;

let store: ConsentStore | undefined;
let routed: RoutedSandbox | undefined;
afterAll(async () => {
  await killAllWorkers();
  await routed?.close();
  await store?.close();
});

describe.runIf(pgAvailable)('three collector processes on PostgreSQL, one SIGKILLed mid-dispatch', () => {
  it('registers every record once, in key order, none rejected; the killed lease is taken over', async () => {
    const schema = testSchema();
    store = openStore(PG_URL, { schema });
    await store.init();
    const { total, pairPhones } = await insertWorkload(store, 3000, 150);

    // delayMs: the sandbox stores a request, then waits before answering, so a kill lands between.
    const sandbox: Sandbox = createSandbox({ ...ACCOUNT, duplicates: 'strict', faults: { delayMs: 300 } });
    routed = await startRoutedSandbox(sandbox, OWNERS);
    const started = Date.now();
    const workers: Worker[] = OWNERS.map((owner) =>
      spawnWorker({ dbUrl: PG_URL, pgSchema: schema, sandboxUrl: routed!.urlFor(owner), owner, batchMax: 100, flushMs: 50, leaseMs: LEASE_MS }),
    );
    const victim = workers.find((w) => w.owner === VICTIM)!;

    const { inFlight, killedAt } = await killWithStoredRequestInFlight(victim, routed, sandbox);
    // The delay has done its job; the rest (the resolution of the doubt sends records one by one) runs at full speed.
    sandbox.configure({ faults: { delayMs: 0 } });

    const counts = await settled(store, 50_000);
    const drainMs = Date.now() - started;
    const survivors = workers.filter((w) => w !== victim);
    for (const w of survivors) w.child.kill('SIGTERM');
    const exits = await Promise.all(survivors.map((w) => w.exited));

    expect(counts).toMatchObject({ pending: 0, registered: total, rejected: 0, expired: 0 });
    expect(sandbox.state.records()).toHaveLength(total);
    expect(storedTwice(sandbox)).toEqual([]);
    expect(outOfOrder(sandbox, pairPhones)).toEqual([]);

    // The killed request's records were stored by it and later found in doubt by another process:
    // registered through the doubt rule ("refused alone … taken as stored"), not sent as new.
    const lost = await lostRequestFate(store, inFlight.list, killedAt);
    expect(lost).toHaveLength(inFlight.list.length);
    expect(lost.every((f) => f.takenAsStored && f.takeOverMs !== null)).toBe(true);
    const takeOver = lost.map((f) => f.takeOverMs!);

    // Every process did some of the work; the survivors stopped cleanly on SIGTERM.
    for (const w of workers) expect(w.lines.some((l) => l.event === 'worker.request')).toBe(true);
    expect(exits).toEqual(survivors.map(() => ({ code: 0, signal: null })));
    for (const w of survivors) expect(w.lines.some((l) => l.event === 'worker.stopped')).toBe(true);
    for (const w of workers) {
      expect(w.stderr()).toBe('');
      expect(w.lines.filter((l) => l.event === 'dispatch.error')).toEqual([]);
    }

    const requests = Object.values(sandbox.state.counts()).reduce((a, b) => a + b, 0);
    console.log(
      `pg 3 processes: ${total} records, ${requests} requests (${JSON.stringify(sandbox.state.counts())}), ` +
        `drained in ${drainMs} ms; killed request of ${inFlight.list.length} records taken over ` +
        `${Math.min(...takeOver)}–${Math.max(...takeOver)} ms after the kill (lease ${LEASE_MS} ms)`,
    );
  }, 90_000);
});
