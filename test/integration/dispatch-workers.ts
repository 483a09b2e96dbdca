import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Sandbox } from '../../server/sandbox/index.ts';
import type { ConsentStore } from '../../server/stores/store.ts';
import type { IysRecord } from '../../shared/iys-record.ts';
import { newPhone, newRecord, waitFor } from './dispatch-harness.ts';

/**
 * Collector processes for the multi-process dispatcher tests: each runs
 * test/fixtures/dispatch-worker.ts against a shared ledger and one sandbox in the test process.
 */

const WORKER = fileURLToPath(new URL('../fixtures/dispatch-worker.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

export type WorkerEnv = {
  dbUrl: string;
  pgSchema?: string;
  sandboxUrl: string;
  owner: string;
  batchMax: number;
  flushMs: number;
  leaseMs: number;
};

export type Worker = {
  owner: string;
  child: ChildProcess;
  /** Its stdout, one parsed JSON line each. */
  lines: Array<Record<string, unknown>>;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

const live = new Set<ChildProcess>();

export function spawnWorker(env: WorkerEnv): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      IYS_WORKER_DB_URL: env.dbUrl,
      IYS_WORKER_PG_SCHEMA: env.pgSchema ?? '',
      IYS_WORKER_SANDBOX_URL: env.sandboxUrl,
      IYS_WORKER_OWNER: env.owner,
      IYS_WORKER_BATCH_MAX: String(env.batchMax),
      IYS_WORKER_FLUSH_MS: String(env.flushMs),
      IYS_WORKER_LEASE_MS: String(env.leaseMs),
    },
  });
  live.add(child);
  const lines: Array<Record<string, unknown>> = [];
  let buffered = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  return { owner: env.owner, child, lines, stderr: () => stderr, exited };
}

/** SIGKILLs every worker still alive (afterAll, whatever the test's outcome). */
export async function killAllWorkers(): Promise<void> {
  const waits = [...live].map((c) => new Promise<void>((resolve) => {
    c.once('close', () => resolve());
    c.kill('SIGKILL');
  }));
  await Promise.all(waits);
}

/** One request as the sandbox received it from a worker. */
export type SeenRequest = { list: IysRecord[]; answered: boolean };

export type RoutedSandbox = {
  /** The base URL a worker sends to: the sandbox under /<owner>, so requests are told apart by sender. */
  urlFor(owner: string): string;
  /** Requests received from `owner`, in arrival order. */
  seen(owner: string): SeenRequest[];
  close(): Promise<void>;
};

/** One sandbox over real HTTP on 127.0.0.1 port 0, mounted once per worker name. */
export function startRoutedSandbox(sandbox: Sandbox, owners: string[]): Promise<RoutedSandbox> {
  const byOwner = new Map<string, SeenRequest[]>(owners.map((o) => [o, []]));
  const root = new Hono();
  for (const owner of owners) {
    root.use(`/${owner}/*`, async (c, next) => {
      let list: IysRecord[] = [];
      try {
        // Hono caches the body: the sandbox's handler reads the same text again.
        list = ((JSON.parse(await c.req.text()) as { request?: { consent?: { list?: IysRecord[] } } }).request?.consent?.list) ?? [];
      } catch {
        // Not JSON: the sandbox answers it; nothing to note here.
      }
      const entry: SeenRequest = { list, answered: false };
      byOwner.get(owner)!.push(entry);
      await next();
      entry.answered = true;
    });
    root.route(`/${owner}`, sandbox.app);
  }
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: root.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      const base = `http://127.0.0.1:${info.port}`;
      resolve({
        urlFor: (owner) => `${base}/${owner}`,
        seen: (owner) => byOwner.get(owner) ?? [],
        close: () =>
          new Promise<void>((done) => {
            (server as Server).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
    server.once('error', reject);
  });
}

/** The sandbox may hold İYS-side sources too: compare what a request carried, not the source. */
type RecordKeyAndState = Pick<IysRecord, 'recipient' | 'type' | 'status' | 'consentDate'>;
const sameRecord = (a: RecordKeyAndState, b: RecordKeyAndState) =>
  a.recipient === b.recipient && a.type === b.type && a.status === b.status && a.consentDate === b.consentDate;

/** True when the sandbox stored the request (batches are atomic: its first record tells). */
export function isStored(sandbox: Sandbox, req: SeenRequest): boolean {
  const first = req.list[0];
  return first !== undefined && sandbox.state.records().some((r) => sameRecord(r, first));
}

/**
 * Waits until `owner` has had at least one request answered and has one the sandbox has STORED
 * but not yet answered (the sandbox's delayMs), then SIGKILLs the worker: the answer is lost with
 * the process, and the next owner of those records finds them in doubt.
 */
export async function killWithStoredRequestInFlight(
  worker: Worker, routed: RoutedSandbox, sandbox: Sandbox, timeoutMs = 30_000,
): Promise<{ inFlight: SeenRequest; killedAt: number }> {
  let inFlight: SeenRequest | undefined;
  await waitFor(`${worker.owner} to have a stored request in flight`, () => {
    const seen = routed.seen(worker.owner);
    if (!seen.some((r) => r.answered)) return false;
    inFlight = seen.find((r) => !r.answered && isStored(sandbox, r));
    return inFlight !== undefined;
  }, timeoutMs);
  worker.child.kill('SIGKILL');
  const killedAt = Date.now();
  await worker.exited;
  return { inFlight: inFlight!, killedAt };
}

/**
 * `singles` fresh keys with one ONAY each and `pairs` keys with ONAY then RET (RET 30 s later),
 * inserted in chunks. Returns the keys that have both.
 */
export async function insertWorkload(store: ConsentStore, singles: number, pairs: number): Promise<{ total: number; pairPhones: string[] }> {
  const now = Date.now();
  const records = Array.from({ length: singles }, () => newRecord({ now }));
  const pairPhones: string[] = [];
  for (let i = 0; i < pairs; i++) {
    const phone = newPhone();
    pairPhones.push(phone);
    records.push(newRecord({ now, recipient: phone, agoMs: 60_000 }), newRecord({ now, recipient: phone, status: 'RET', agoMs: 30_000 }));
  }
  for (let i = 0; i < records.length; i += 1000) await store.insert(records.slice(i, i + 1000));
  return { total: records.length, pairPhones };
}

/** Keys of the pairs whose RET the sandbox did not store after their ONAY. */
export function outOfOrder(sandbox: Sandbox, pairPhones: string[]): string[] {
  const statuses = new Map<string, string[]>();
  for (const r of sandbox.state.records()) statuses.set(r.recipient, [...(statuses.get(r.recipient) ?? []), r.status]);
  return pairPhones.filter((p) => (statuses.get(p) ?? []).join(',') !== 'ONAY,RET');
}

/** Ledger ids of the records of one request (by recipient, status and consentDate). */
export async function idsOf(store: ConsentStore, list: IysRecord[]): Promise<string[]> {
  const ids: string[] = [];
  for (const r of list) {
    const found = (await store.byRecipient(r.recipient)).find((s) => sameRecord(s, r));
    if (found) ids.push(found.id);
  }
  return ids;
}

/**
 * What became of the records of the request in flight when its process was killed: for each, how
 * long after the kill another process sent it again, and whether the doubt rule registered it
 * ("taken as stored") rather than sending it as new.
 */
export async function lostRequestFate(store: ConsentStore, list: IysRecord[], killedAt: number) {
  const ids = await idsOf(store, list);
  const fates: Array<{ takenAsStored: boolean; takeOverMs: number | null }> = [];
  for (const id of ids) {
    const attempts = await store.attemptsOf(id);
    const next = attempts.find((a) => a.outcome === 'sending' && a.at > killedAt);
    fates.push({ takenAsStored: attempts.some((a) => /taken as stored/.test(a.message)), takeOverMs: next ? next.at - killedAt : null });
  }
  return fates;
}
