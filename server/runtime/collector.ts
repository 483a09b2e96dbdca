import { serve, type ServerType } from '@hono/node-server';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { errorResponse } from '../http/errors.ts';
import type { Config } from './config.ts';
import { demoRoutes } from '../demo/demo-routes.ts';
import { createDispatcher, type Dispatcher } from '../dispatch/dispatcher.ts';
import { HealthChecks } from '../observability/health.ts';
import { createIletiMerkeziClient, createIletiMerkeziPool } from '../iletimerkezi/client.ts';
import type { ConsentSender } from '../iletimerkezi/outcome.ts';
import type { Logger } from '../log/logger.ts';
import { dispatcherMetrics, pauseStatusOf } from '../observability/dispatcher-metrics.ts';
import { createMetrics } from '../observability/metrics.ts';
import { addOperatorHealthChecks } from '../observability/operator-health.ts';
import { createSandbox, logSandboxBanner, type Sandbox } from '../sandbox/index.ts';
import { openStore } from '../stores/open-store.ts';
import type { ConsentStore } from '../stores/store.ts';
import { widgetRoute } from './widget-route.ts';

/** The credentials the built-in sandbox is created with; they never leave the process. */
const SANDBOX_KEY = 'sandbox-key';
const SANDBOX_HASH = 'sandbox-hash';
const SANDBOX_BRAND = 1234;
// A claim's lease: long enough for a 5000-record request and its isolation (the dispatcher renews it).
const LEASE_MS = 60_000;
// Requests in flight get this long to finish after a stop before their sockets are cut.
const SHUTDOWN_GRACE_MS = 10_000;

export type CollectorRuntime = {
  /** http://host:port the collector listens on. */
  url: string;
  port: number;
  store: ConsentStore;
  sandbox: Sandbox | null;
  dispatcher: Dispatcher;
  health: HealthChecks;
  /** Stop accepting, finish the request to iletiMerkezi in flight, close the ledger. */
  stop(): Promise<void>;
};

export type RuntimeOptions = {
  logger: Logger;
  /** Serve the demo pages at `/` and `/demo/*` (npm start). Needs the sandbox. */
  demo?: boolean;
  storeOptions?: Parameters<typeof openStore>[1];
};

/**
 * Everything `npm run collector` and `npm start` run: the ledger, the HTTP app, the built-in İYS
 * sandbox when IYS_SANDBOX=1, and the dispatcher sending to iletiMerkezi (or to that sandbox).
 * Start-up order matters: the ledger first (nothing is acknowledged before it can store), the
 * server next (the sandbox lives on it), the dispatcher last.
 */
export async function startCollector(config: Config, opts: RuntimeOptions): Promise<CollectorRuntime> {
  const { logger } = opts;
  const store = openStore(config.databaseUrl, { logger, ...opts.storeOptions });
  await store.init();

  const health = new HealthChecks();
  const metrics = createMetrics({ store });
  const app = createApp({ config, store, logger, health, metrics });
  app.route('/', widgetRoute());

  let sandbox: Sandbox | null = null;
  if (config.sandbox) {
    sandbox = createSandbox({ apiKey: SANDBOX_KEY, apiHash: SANDBOX_HASH, brandCode: config.brandCode ?? SANDBOX_BRAND });
    // The sandbox's view and controls show every stored number and change its behaviour: only the
    // demo, a local toy, serves them; a collector run with IYS_SANDBOX=1 keeps just the API.
    if (!opts.demo) app.all('/sandbox/_sandbox/*', (c) => errorResponse(c, 404, 'not-found', 'the sandbox view is served only by the demo (npm start)'));
    app.route('/sandbox', sandbox.app);
    logSandboxBanner(logger);
  }
  if (opts.demo) {
    if (!sandbox) throw new Error('the demo needs IYS_SANDBOX=1');
    app.route('/', demoRoutes({ store, sandbox, health }));
  }

  const server = await listen(app.fetch, config);
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  const account = sandbox
    ? { baseUrl: `${url}/sandbox`, apiKey: SANDBOX_KEY, apiHash: SANDBOX_HASH, brandCode: config.brandCode ?? SANDBOX_BRAND }
    : { baseUrl: config.iletimerkezi.baseUrl, apiKey: config.iletimerkezi.apiKey!, apiHash: config.iletimerkezi.apiHash!, brandCode: config.brandCode! };
  // One keep-alive pool for the life of the process, closed after the dispatcher's last request.
  const pool = createIletiMerkeziPool(account);
  const sender: ConsentSender = createIletiMerkeziClient({ ...account, dispatcher: pool, logger });
  const dispatcher = createDispatcher({
    store,
    sender,
    logger,
    batchMax: config.batchMax,
    flushMs: config.flushMs,
    leaseMs: LEASE_MS,
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    onEvent: dispatcherMetrics(metrics),
  });
  const pauseStatus = () => pauseStatusOf(dispatcher.status());
  metrics.attach({ pauseStatus });
  addOperatorHealthChecks(health, { store, pauseStatus });
  dispatcher.start();

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      const cut = setTimeout(() => server.closeAllConnections?.(), SHUTDOWN_GRACE_MS);
      cut.unref();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await dispatcher.stop();
      await sender.close();
      await pool.close();
      server.closeIdleConnections?.();
      await closed;
      clearTimeout(cut);
      await store.close();
    })());

  return { url, port, store, sandbox, dispatcher, health, stop };
}

type NodeServer = ServerType & {
  address(): AddressInfo | string | null;
  closeAllConnections?: () => void;
  closeIdleConnections?: () => void;
  headersTimeout: number;
  requestTimeout: number;
};

function listen(fetch: (req: Request) => Response | Promise<Response>, config: Config): Promise<NodeServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: config.port, hostname: config.host }) as NodeServer;
    // Slow senders must not hold sockets: headers within 10 s, a whole request within 30 s.
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}
