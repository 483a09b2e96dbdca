import { serve, type ServerType } from '@hono/node-server';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { createDispatcher, type Dispatcher } from '../dispatch/dispatcher.ts';
import { createIletiMerkeziClient, createIletiMerkeziPool } from '../iletimerkezi/client.ts';
import type { ConsentSender } from '../iletimerkezi/outcome.ts';
import type { Logger } from '../log/logger.ts';
import { emptyRegistryWarning } from './notice-policy-warning.ts';
import { dispatcherMetrics, pauseStatusOf } from '../observability/dispatcher-metrics.ts';
import { readbackMetrics } from '../observability/readback-metrics.ts';
import { createReadback, type Readback } from '../readback/lane.ts';
import { IysReachability } from '../observability/iys-reachability.ts';
import { createMetrics, type PauseStatus } from '../observability/metrics.ts';
import { createSandbox, logSandboxBanner, type Sandbox } from '../sandbox/index.ts';
import { openLedger } from './ledger-wait.ts';
import type { OpenStoreOptions } from '../stores/open-store.ts';
import type { ConsentStore } from '../stores/store.ts';
import { ledgerError, listenError } from './startup-errors.ts';
import { createSmsClient, type SmsSender } from '../iletimerkezi/sms-client.ts';
import { makeVerification, sweepVerifications } from './verification-setup.ts';

/** The account the built-in sandbox is created with (IYS_BRAND_CODE, when set, wins); it never leaves the process. */
export const SANDBOX_ACCOUNT = { apiKey: 'sandbox-key', apiHash: 'sandbox-hash', brandCode: 1234 } as const;
// A claim's lease: long enough for a 5000-record request and its isolation (the dispatcher renews it).
const LEASE_MS = 60_000;
// Requests in flight get this long to finish after a stop before their sockets are cut.
const SHUTDOWN_GRACE_MS = 10_000;

/** Slow senders must not hold sockets: headers within 10 s, the whole request, body included, within 30 s (docs/collector.md). */
export const HTTP_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000 };
// Node enforces both only when it checks its connections, every 30 s by default, so a body trickled a
// byte at a time lived 59 s; checked every second, a request outlives its timeout by a second at most.
const CONNECTIONS_CHECK_MS = 1000;

export type CollectorRuntime = {
  /** http://host:port the collector listens on. */
  url: string;
  port: number;
  store: ConsentStore;
  sandbox: Sandbox | null;
  dispatcher: Dispatcher;
  /** Stop accepting, finish the request to iletiMerkezi in flight, close the ledger. */
  stop(): Promise<void>;
};

export type RuntimeOptions = {
  logger: Logger;
  /** Serve the demo pages at `/` and `/demo/*` (npm start). Needs the sandbox. */
  demo?: boolean;
  storeOptions?: OpenStoreOptions;
  /** HTTP_TIMEOUTS unless a test wants shorter ones. */
  httpTimeouts?: typeof HTTP_TIMEOUTS;
};

/**
 * Everything `npm run collector` and `npm start` run: the ledger, the HTTP server with the app
 * (app.ts), the built-in İYS sandbox when IYS_SANDBOX=1, and the dispatcher sending to iletiMerkezi
 * (or to that sandbox). Start-up order matters: the ledger first (nothing is acknowledged before it
 * can store; a PostgreSQL ledger not up yet is waited for, ledger-wait.ts), the server next (the
 * sandbox lives on it), the dispatcher last.
 */
export async function startCollector(config: Config, opts: RuntimeOptions): Promise<CollectorRuntime> {
  const { logger } = opts;
  let store: ConsentStore;
  try {
    store = await openLedger(config.databaseUrl, { logger, storeOptions: opts.storeOptions });
  } catch (err) {
    throw ledgerError(err as Error, config.databaseUrl);
  }

  const emptyRegistry = await emptyRegistryWarning(config, store).catch(() => null);
  if (emptyRegistry) logger.warn({ event: 'notices.none-registered' }, emptyRegistry);

  const sandbox = config.sandbox ? createSandbox({ ...SANDBOX_ACCOUNT, brandCode: config.brandCode ?? SANDBOX_ACCOUNT.brandCode }) : null;
  if (sandbox) logSandboxBanner(logger);
  const metrics = createMetrics({ store });
  const reachability = new IysReachability({ logger });
  // The dispatcher is made once the server listens (below); until then nothing is paused.
  let pauseStatus = (): PauseStatus => ({ paused: false });
  let dispatcherMade: Dispatcher | null = null;
  let readbackMade: Readback | null = null;
  // Like the dispatcher's client, the send-sms client needs the sandbox's URL, known once the server listens.
  let sms: SmsSender | null = null;
  const verification = makeVerification({ config, store, logger, metrics, sms: () => sms });
  const app = createApp({
    config, store, logger, metrics, sandbox, demo: opts.demo, verification,
    pauseStatus: () => pauseStatus(), reachability: () => reachability.status(), sending: () => dispatcherMade,
    verify: () => (readbackMade ? readbackMade.verify : null),
  });

  const server = await listen(app.fetch, config, opts.httpTimeouts ?? HTTP_TIMEOUTS).catch(async (err: NodeJS.ErrnoException) => {
    await store.close();
    throw listenError(err, config.host, config.port) ?? err;
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  const account = sandbox
    ? { baseUrl: `${url}/sandbox`, ...SANDBOX_ACCOUNT, brandCode: config.brandCode ?? SANDBOX_ACCOUNT.brandCode }
    : { baseUrl: config.iletimerkezi.baseUrl, apiKey: config.iletimerkezi.apiKey!, apiHash: config.iletimerkezi.apiHash!, brandCode: config.brandCode! };
  // One keep-alive pool for the life of the process, closed after the dispatcher's last request.
  const pool = createIletiMerkeziPool(account);
  const sender: ConsentSender = createIletiMerkeziClient({ ...account, dispatcher: pool, logger });
  if (config.verification.sender !== null) sms = createSmsClient({ ...account, sender: config.verification.sender, logger });
  const stopSweep = verification ? sweepVerifications(verification, logger) : () => {};
  // Read-back has a pool of its own: a look-up never queues behind a send, nor a send behind it.
  const readPool = config.readback ? createIletiMerkeziPool(account) : null;
  const reader = readPool ? createIletiMerkeziClient({ ...account, dispatcher: readPool, logger }) : null;
  const checks = reader && config.readback
    ? createReadback({ ...config.readback, store, reader, logger, onEvent: readbackMetrics(metrics, store) })
    : undefined;
  const dispatcher = createDispatcher({
    store,
    sender,
    logger,
    batchMax: config.batchMax,
    flushMs: config.flushMs,
    leaseMs: LEASE_MS,
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    onEvent: dispatcherMetrics(metrics, reachability),
    checks,
  });
  pauseStatus = () => pauseStatusOf(dispatcher.status());
  dispatcherMade = dispatcher;
  readbackMade = checks ?? null;
  dispatcher.start();

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      const cut = setTimeout(() => server.closeAllConnections?.(), SHUTDOWN_GRACE_MS);
      cut.unref();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      stopSweep();
      await dispatcher.stop();
      await sender.close();
      await pool.close();
      await reader?.close();
      await readPool?.close();
      server.closeIdleConnections?.();
      await closed;
      clearTimeout(cut);
      await store.close();
    })());

  return { url, port, store, sandbox, dispatcher, stop };
}

type NodeServer = ServerType & {
  address(): AddressInfo | string | null;
  closeAllConnections?: () => void;
  closeIdleConnections?: () => void;
};

function listen(fetch: (req: Request) => Response | Promise<Response>, config: Config, timeouts: typeof HTTP_TIMEOUTS): Promise<NodeServer> {
  return new Promise((resolve, reject) => {
    const serverOptions = { headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs, connectionsCheckingInterval: CONNECTIONS_CHECK_MS };
    const server = serve({ fetch, port: config.port, hostname: config.host, serverOptions }) as NodeServer;
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}
