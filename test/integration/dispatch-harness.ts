import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '../../server/dispatch/dispatcher.ts';
import { createIletiMerkeziClient } from '../../server/iletimerkezi/client.ts';
import type { ConsentSender } from '../../server/iletimerkezi/outcome.ts';
import { createReadback, type Readback, type ReadbackSettings } from '../../server/readback/lane.ts';
import type { ReadbackEvent } from '../../server/readback/events.ts';
import { createSandbox, startSandboxServer, type Sandbox, type SandboxPatch } from '../../server/sandbox/index.ts';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import type { ConsentStore, NewRecord } from '../../server/stores/store.ts';
import type { IysRecord } from '../../shared/iys-record.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { ledgerRecord, mobileOf, webRecord } from '../fixtures/records.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

export const ACCOUNT = { apiKey: 'test-key-123', apiHash: 'test-hash-456', brandCode: 4242 };

let phoneNo = 0;
/** A fresh mobile number for each record (unique across the file). */
export const newPhone = () => mobileOf(++phoneNo);

export function newRecord(opts: { now: number; recipient?: string; status?: IysRecord['status']; agoMs?: number; receivedAt?: number }): NewRecord {
  const record = webRecord(opts.recipient ?? newPhone(), {
    status: opts.status ?? 'ONAY',
    consentDate: formatTurkeyTime(opts.now - (opts.agoMs ?? 60_000)),
  });
  return ledgerRecord(record, opts.receivedAt ?? opts.now);
}

export type Rig = {
  store: ConsentStore;
  sandbox: Sandbox;
  sender: ConsentSender;
  dispatcher: Dispatcher;
  /** The read-back lane, when the rig was asked for one. */
  readback: Readback | null;
  readbackEvents: ReadbackEvent[];
  logs: Array<Record<string, unknown>>;
  /** consent/create requests the sandbox answered (or dropped). */
  requests(): number;
  /** consent/show requests (look-ups) the sandbox answered (or dropped). */
  lookups(): number;
  close(): Promise<void>;
};

/** Read-back in tests: at once and fast, unless a test says otherwise. */
export const TEST_READBACK: ReadbackSettings = { confirmDelayMs: 0, confirmWithinMs: 60_000, ratePerS: 2_000, sweepAfterMs: 0, sweepRatePerS: 1 };

/** A real SQLite ledger, the sandbox over real HTTP, the real client, a dispatcher with short timings. */
export async function startRig(opts: {
  sandbox?: SandboxPatch;
  dispatcher?: Partial<DispatcherOptions>;
  wrapSender?: (s: ConsentSender) => ConsentSender;
  /** What the dispatcher sees of the ledger (the rig's `store` stays the real one). */
  wrapStore?: (s: ConsentStore) => ConsentStore;
  clockOffsetMs?: number;
  /** A read-back lane beside the dispatcher (TEST_READBACK's settings, overridden by these). */
  readback?: Partial<ReadbackSettings>;
  /** Another ledger than a fresh SQLite file (PostgreSQL); the rig closes it. */
  openStore?: () => ConsentStore;
} = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'iys-dispatch-'));
  const store = opts.openStore ? opts.openStore() : new SqliteStore(join(dir, 'ledger.db'));
  await store.init();
  const now = () => Date.now() + (opts.clockOffsetMs ?? 0);
  const sandbox = createSandbox({ ...ACCOUNT, now, ...opts.sandbox });
  const server = await startSandboxServer(sandbox, { port: 0 });
  const client = createIletiMerkeziClient({ baseUrl: server.url, ...ACCOUNT, headersTimeoutMs: 5_000, bodyTimeoutMs: 5_000 });
  const sender = opts.wrapSender ? opts.wrapSender(client) : client;
  const { logger, lines } = captureLogger();
  // Read-back has a client (and pool) of its own, as in the collector.
  const reader = opts.readback ? createIletiMerkeziClient({ baseUrl: server.url, ...ACCOUNT, headersTimeoutMs: 5_000, bodyTimeoutMs: 5_000 }) : null;
  const readbackEvents: ReadbackEvent[] = [];
  const readback = reader
    ? createReadback({
        ...TEST_READBACK, ...opts.readback, store, reader, logger, now, backoff: { baseMs: 20, capMs: 200 }, onEvent: (e) => readbackEvents.push(e),
      })
    : null;
  const dispatcher = createDispatcher({
    store: opts.wrapStore ? opts.wrapStore(store) : store, sender, logger, batchMax: 5000, flushMs: 20, leaseMs: 5_000, owner: 'test-1', now,
    transientBackoff: { baseMs: 20, capMs: 200 }, accountBackoff: { baseMs: 50, capMs: 300 }, checks: readback ?? undefined,
    ...opts.dispatcher,
  });
  const total = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    store, sandbox, sender, dispatcher, readback, readbackEvents, logs: lines,
    requests: () => total(sandbox.state.counts()),
    lookups: () => total(sandbox.state.showCounts()),
    async close() {
      await dispatcher.stop();
      await sender.close();
      await reader?.close();
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until the condition holds (no fixed sleeps); fails with `what` after the timeout. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves when no record is pending any more. */
export async function settled(store: ConsentStore, timeoutMs = 40_000) {
  await waitFor('every record settled', async () => (await store.countByState()).pending === 0, timeoutMs);
  return store.countByState();
}

/** Stored records by key in the sandbox: a key stored twice would show here. */
export function storedTwice(sandbox: Sandbox): string[] {
  const seen = new Map<string, number>();
  for (const r of sandbox.state.records()) {
    const k = `${r.recipient}|${r.type}|${r.status}|${r.consentDate}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}
