import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../server/dispatch/dispatcher.ts';
import { SENDING } from '../../server/dispatch/doubt.ts';
import { createIletiMerkeziClient } from '../../server/iletimerkezi/client.ts';
import { silentLogger } from '../../server/log/logger.ts';
import { createSandbox, startSandboxServer, type Sandbox } from '../../server/sandbox/index.ts';
import { openStore } from '../../server/stores/open-store.ts';
import type { ConsentStore } from '../../server/stores/store.ts';
import { ACCOUNT, newPhone, newRecord, settled, storedTwice, waitFor } from './dispatch-harness.ts';
import {
  idsOf, lostRequestFate, insertWorkload, killAllWorkers, killWithStoredRequestInFlight, outOfOrder, spawnWorker,
  startRoutedSandbox, type RoutedSandbox,
} from './dispatch-workers.ts';

/**
 * The SQLite collector killed with SIGKILL while İYS (the sandbox, strict about duplicates) has
 * stored its request but not answered it, then started again on the same file: the new process
 * finds the records of the lost request in doubt once the dead one's lease has run out, and
 * settles everything without storing anything twice or rejecting anything.
 */

const LEASE_MS = 2_000;
const tmpRoot = mkdtempSync(join(tmpdir(), 'iys-dispatch-crash-'));
let store: ConsentStore | undefined;
let routed: RoutedSandbox | undefined;
afterAll(async () => {
  await killAllWorkers();
  await routed?.close();
  await store?.close();
  rmSync(tmpRoot, { recursive: true, force: true });
});

describe('SQLite collector SIGKILLed mid-dispatch and restarted', () => {
  it('registers every record once, none rejected, after the restart', async () => {
    const dbUrl = `file:${join(tmpRoot, 'ledger.db')}`;
    store = openStore(dbUrl);
    await store.init();
    const { total, pairPhones } = await insertWorkload(store, 2000, 100);

    // delayMs puts the kill between storing and answering; dropRate loses some answers on top.
    const sandbox: Sandbox = createSandbox({ ...ACCOUNT, duplicates: 'strict', faults: { delayMs: 300, dropRate: 0.05, seed: 3 } });
    routed = await startRoutedSandbox(sandbox, ['first', 'second']);
    const worker = (owner: string) =>
      spawnWorker({ dbUrl, sandboxUrl: routed!.urlFor(owner), owner, batchMax: 100, flushMs: 50, leaseMs: LEASE_MS });

    const started = Date.now();
    const first = worker('first');
    const { inFlight, killedAt } = await killWithStoredRequestInFlight(first, routed, sandbox);
    const registeredAtKill = (await store.countByState()).registered;
    sandbox.configure({ faults: { delayMs: 0 } });

    const second = worker('second');
    const counts = await settled(store, 50_000);
    const drainMs = Date.now() - started;
    second.child.kill('SIGTERM');
    const exit = await second.exited;

    expect((await first.exited).signal).toBe('SIGKILL');
    expect(registeredAtKill).toBeGreaterThan(0);
    expect(registeredAtKill).toBeLessThan(total);
    expect(counts).toMatchObject({ pending: 0, registered: total, rejected: 0, expired: 0 });
    expect(sandbox.state.records()).toHaveLength(total);
    expect(storedTwice(sandbox)).toEqual([]);
    expect(outOfOrder(sandbox, pairPhones)).toEqual([]);

    // The lost request's records were registered by the doubt rule, not sent as new ones.
    const lost = await lostRequestFate(store, inFlight.list, killedAt);
    expect(lost).toHaveLength(inFlight.list.length);
    expect(lost.every((f) => f.takenAsStored && f.takeOverMs !== null)).toBe(true);
    const takeOver = lost.map((f) => f.takeOverMs!);

    // SIGTERM: stop() finished and the process left by itself.
    expect(exit).toEqual({ code: 0, signal: null });
    expect(second.lines.some((l) => l.event === 'worker.stopped')).toBe(true);
    for (const w of [first, second]) {
      expect(w.stderr()).toBe('');
      expect(w.lines.filter((l) => l.event === 'dispatch.error')).toEqual([]);
    }

    const requests = Object.values(sandbox.state.counts()).reduce((a, b) => a + b, 0);
    console.log(
      `sqlite restart: ${total} records (${registeredAtKill} registered at the kill), ${requests} requests ` +
        `(${JSON.stringify(sandbox.state.counts())}), drained in ${drainMs} ms; killed request of ${inFlight.list.length} ` +
        `records taken over ${Math.min(...takeOver)}–${Math.max(...takeOver)} ms after the kill (lease ${LEASE_MS} ms)`,
    );
  }, 90_000);
});

/**
 * SIGKILLed while a request carrying one bad record is refused by İYS (so nothing of it stored)
 * but not yet answered. The next process finds the records in doubt; it rebuilds the lost request
 * from the attempts (request ids), so the acceptance of any other record of it proves it was not
 * stored: the bad record refused alone is then rejected, not taken as stored.
 */
describe('SQLite collector SIGKILLed while a request with a bad record is refused', () => {
  it('rejects exactly the bad record and registers the rest once, after the restart', async () => {
    const dbUrl = `file:${join(tmpRoot, 'refused-in-flight.db')}`;
    const ledger = openStore(dbUrl);
    await ledger.init();
    const now = Date.now();
    const bad = newPhone();
    const news = Array.from({ length: 40 }, () => newRecord({ now }));
    news.splice(17, 0, newRecord({ now, recipient: bad }));
    await ledger.insert(news);
    const [badId] = await idsOf(ledger, [news[17]!.record]);

    // The refusal waits 30 s to be answered: the kill lands long before.
    const sandbox = createSandbox({ ...ACCOUNT, duplicates: 'strict', refuseRecipients: [bad], faults: { delayMs: 30_000 } });
    const paths = await startRoutedSandbox(sandbox, ['doomed', 'heir']);
    const worker = (owner: string) =>
      spawnWorker({ dbUrl, sandboxUrl: paths.urlFor(owner), owner, batchMax: 100, flushMs: 50, leaseMs: LEASE_MS });
    try {
      const doomed = worker('doomed');
      await waitFor('the request carrying the bad record on the wire', () =>
        paths.seen('doomed').some((r) => !r.answered && r.list.some((x) => x.recipient === bad)));
      doomed.child.kill('SIGKILL');
      expect((await doomed.exited).signal).toBe('SIGKILL');
      expect(sandbox.state.records()).toHaveLength(0);
      sandbox.configure({ faults: { delayMs: 0 } });

      const heir = worker('heir');
      const counts = await settled(ledger, 40_000);
      heir.child.kill('SIGTERM');
      expect(await heir.exited).toEqual({ code: 0, signal: null });

      expect(counts).toMatchObject({ pending: 0, registered: news.length - 1, rejected: 1, expired: 0 });
      expect((await ledger.byIds([badId!]))[0]).toMatchObject({ state: 'rejected' });
      expect(sandbox.state.records()).toHaveLength(news.length - 1);
      expect(storedTwice(sandbox)).toEqual([]);
      expect(heir.stderr()).toBe('');
      expect(heir.lines.filter((l) => l.event === 'dispatch.error')).toEqual([]);
      // Lifted by the group: records still in doubt are judged only alone, one request each.
      expect(paths.seen('heir').length).toBeLessThan(news.length);
    } finally {
      await killAllWorkers();
      await paths.close();
      await ledger.close();
    }
  }, 90_000);
});

/**
 * The narrowest crash windows, made certain instead of hit by chance: the ledger's markRegistered
 * never returns in the first dispatcher (its process "dies" as it writes the answer), and a second
 * dispatcher on the same file takes over once the lease runs out.
 */
describe('a crash between an answer and the ledger marking the record registered', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  type Before = 'nothing' | 'sent' | 'stored';
  async function takeOverAfterFrozenMark(opts: { records: number; before: Before }) {
    const url = `file:${join(tmpRoot, `window-${opts.before}.db`)}`;
    const ledger = openStore(url);
    await ledger.init();
    const sandbox = createSandbox({ ...ACCOUNT, duplicates: 'strict' });
    const server = await startSandboxServer(sandbox, { port: 0 });
    const client = createIletiMerkeziClient({ baseUrl: server.url, ...ACCOUNT, headersTimeoutMs: 5_000, bodyTimeoutMs: 5_000 });
    cleanups.push(() => ledger.close(), () => server.close(), () => client.close());

    const now = Date.now();
    const news = Array.from({ length: opts.records }, () => newRecord({ now }));
    const { ids } = await ledger.insert(news);
    if (opts.before !== 'nothing') {
      // A process that died with the request on the wire: İYS stored it, the ledger says "sent"…
      expect((await client.send(news.map((n) => n.record))).kind).toBe('accepted');
      await ledger.logAttempt(ids, { at: now, outcome: 'sending', code: null, message: SENDING, batchSize: ids.length, requestId: 'r-0', doubt: 'sending' });
      // …or, as collectors that wrote the answer apart from the state left it, "stored" too.
      if (opts.before === 'stored') {
        await ledger.logAttempt(ids, { at: now, outcome: 'accepted', code: 200, message: 'İşlem başarılı', batchSize: ids.length, counted: false, requestId: 'r-0', doubt: 'stored' });
      }
    }

    let frozen = false;
    const dying = new Proxy(ledger, {
      get(target, prop) {
        if (prop === 'markRegistered') {
          return () => {
            frozen = true;
            return new Promise<void>(() => {});
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const timings = { batchMax: 100, flushMs: 0, leaseMs: 500, logger: silentLogger, sender: client };
    // Left hanging, as a dead process would be: its stop() would wait for the frozen call.
    createDispatcher({ ...timings, store: dying, owner: 'dies' }).start();
    await waitFor('the first dispatcher frozen before marking the records registered', () => frozen);
    expect((await ledger.countByState()).pending).toBe(opts.records);
    // The answer's line went with the frozen write, so nothing new says "accepted" without the state,
    // and the records are still in doubt (a refusal of a re-send does not lift it).
    const [record] = await ledger.byIds([ids[0]!]);
    expect(record!.doubt).not.toBeNull();
    const outcomes = (await ledger.attemptsOf(ids[0]!)).map((a) => a.outcome);
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(opts.before === 'stored' ? 1 : 0);

    const second = createDispatcher({ ...timings, store: ledger, owner: 'takes-over' });
    second.start();
    cleanups.push(() => second.stop());
    const counts = await settled(ledger, 20_000);
    expect(counts).toMatchObject({ pending: 0, registered: opts.records, rejected: 0 });
    expect(sandbox.state.records()).toHaveLength(opts.records);
    expect(storedTwice(sandbox)).toEqual([]);
  }

  it('İYS accepted a request, the answer and the registration not yet written: the next owner registers the records, none rejected', async () => {
    await takeOverAfterFrozenMark({ records: 20, before: 'nothing' });
  });

  it('a record in doubt refused as a duplicate, not yet written as taken as stored: the next owner registers it, not rejected', async () => {
    await takeOverAfterFrozenMark({ records: 1, before: 'sent' });
  });

  it('an accepted answer logged but the state not written (an older collector): the next owner registers the records', async () => {
    await takeOverAfterFrozenMark({ records: 20, before: 'stored' });
  });
});
