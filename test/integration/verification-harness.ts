import { serve } from '@hono/node-server';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatcher, type Dispatcher } from '../../server/dispatch/dispatcher.ts';
import { createIletiMerkeziClient } from '../../server/iletimerkezi/client.ts';
import { createSmsClient, type SmsSender } from '../../server/iletimerkezi/sms-client.ts';
import type { VerificationFlow } from '../../server/intake/verification-flow.ts';
import { createMetrics } from '../../server/observability/metrics.ts';
import { createApp } from '../../server/runtime/app.ts';
import { testConfig, type VerificationConfig } from '../../server/runtime/config.ts';
import { makeVerification } from '../../server/runtime/verification-setup.ts';
import { createSandbox, startSandboxServer, type Sandbox } from '../../server/sandbox/index.ts';
import { PostgresStore } from '../../server/stores/postgres-store.ts';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import type { ConsentStore } from '../../server/stores/store.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { captureLogger } from '../helpers/capture-logger.ts';
import { PG_URL, pgAvailable, testSchema } from '../helpers/pg.ts';

/**
 * The SMS code double opt-in end to end: the real collector app on 127.0.0.1 (consent post, code
 * route, lookup, /metrics) on a real ledger, the sandbox over real HTTP for both send-sms and
 * consent/create, the real clients and a running dispatcher; the clock is the test's.
 */
export const ACCOUNT = { apiKey: 'verify-key-123', apiHash: 'verify-hash-456', brandCode: 4242 };
export const ADMIN_TOKEN = 'verification-test-admin-token-0123';
export const ORIGIN = 'https://shop.example';
export const SENDER = 'MAGAZA';

export type VerifyRig = {
  url: string;
  store: ConsentStore;
  sandbox: Sandbox;
  flow: VerificationFlow;
  dispatcher: Dispatcher;
  /** Every log line the collector and the clients wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Moves the test's clock on. */
  advance(ms: number): void;
  now(): number;
  close(): Promise<void>;
};

export type StoreKind = { name: 'sqlite' | 'postgres'; available: boolean; open(): Promise<{ store: ConsentStore; cleanup(): void }> };

export const STORES: StoreKind[] = [
  {
    name: 'sqlite',
    available: true,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'iys-verify-'));
      return { store: new SqliteStore(join(dir, 'ledger.db')), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    available: pgAvailable,
    async open() {
      return { store: new PostgresStore(PG_URL, { schema: testSchema(), poolSize: 4 }), cleanup: () => {} };
    },
  },
];

export async function startVerifyRig(opts: { kind?: StoreKind; verification?: Partial<VerificationConfig>; allowedOrigins?: string[]; sms?: SmsSender } = {}): Promise<VerifyRig> {
  const { store, cleanup } = await (opts.kind ?? STORES[0]!).open();
  await store.init();
  let offset = 0;
  const now = () => Date.now() + offset;
  const sandbox = createSandbox({ ...ACCOUNT, now });
  const sandboxServer = await startSandboxServer(sandbox, { port: 0 });
  const { logger, lines } = captureLogger();
  const sms = opts.sms ?? createSmsClient({ baseUrl: sandboxServer.url, ...ACCOUNT, sender: SENDER, logger });
  const base = testConfig();
  const config = testConfig({
    allowedOrigins: opts.allowedOrigins ?? [ORIGIN], rateLimit: 0, trustProxy: true, admin: { token: ADMIN_TOKEN },
    verification: { ...base.verification, sender: SENDER, ...opts.verification },
  });
  const metrics = createMetrics({ store, now });
  const flow = makeVerification({ config, store, logger, metrics, sms: () => sms, now })!;
  const app = createApp({ config, store, logger, now, metrics, verification: flow });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  const sender = createIletiMerkeziClient({ baseUrl: sandboxServer.url, ...ACCOUNT, logger });
  const dispatcher = createDispatcher({ store, sender, logger, batchMax: 5000, flushMs: 20, leaseMs: 5_000, owner: 'verify-test', now });
  dispatcher.start();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    store, sandbox, flow, dispatcher, logs: lines,
    advance: (ms) => void (offset += ms),
    now,
    async close() {
      await dispatcher.stop();
      await sender.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sandboxServer.close();
      await store.close();
      cleanup();
    },
  };
}

/** A consent asking for the SMS code, as the widget posts it. */
export function verifyBody(recipient: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    recipient, channels: ['MESAJ', 'ARAMA'], consentDate: formatTurkeyTime(Date.now()), verify: 'sms',
    notice: { version: '2026-11', hash: 'sha256:' + '1'.repeat(64), lang: 'tr' }, ...over,
  };
}

export function post(url: string, path: string, body: unknown, ip = '198.51.100.1'): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-forwarded-for': ip },
    body: JSON.stringify(body),
  });
}

/** The code the sandbox's phone got last at `recipient` (+90…). */
export function codeSentTo(sandbox: Sandbox, recipient: string): string {
  const text = sandbox.sms.lastTo(recipient)?.text ?? '';
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  if (!code) throw new Error(`no code was sent to ${recipient}`);
  return code;
}

export async function lookup(url: string, recipient: string): Promise<{ records: Array<Record<string, any>>; verifications: Array<Record<string, any>> }> {
  const res = await fetch(`${url}/v1/consents?recipient=${encodeURIComponent(recipient)}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (res.status !== 200) throw new Error(`lookup answered ${res.status}`);
  return (await res.json()) as never;
}

/** A log line that shows the number in full (in any of its usual forms) or a code. */
export function leaks(logs: Array<Record<string, unknown>>, recipient: string, codes: readonly string[]): string[] {
  const national = recipient.replace(/^\+90/, '');
  // The ten national digits cover +90…, 90… and 0…; a code is digit-bounded, so it is not found
  // inside a timestamp that happens to hold its digits.
  const forms = [new RegExp(national), ...codes.map((c) => new RegExp(`(?<!\\d)${c}(?!\\d)`))];
  return logs.map((l) => JSON.stringify(l)).filter((line) => forms.some((f) => f.test(line)));
}
