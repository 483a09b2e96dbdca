import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { HealthChecks } from './health-routes.ts';
import { createLogger } from './observability/logger.ts';
import { openStore } from './stores/open-store.ts';

/**
 * `npm run collector`: the collector configured only by the environment.
 * Bad configuration → one line on stderr, exit 1. SIGTERM/SIGINT → stop accepting, let requests
 * in flight finish, close the ledger, exit 0.
 */

// Requests in flight get this long to finish after a stop signal before their sockets are cut.
const SHUTDOWN_GRACE_MS = 10_000;
// A consent is a few hundred bytes: a client that takes longer than this to send one is holding a
// socket open on purpose (slowloris), not typing. Node's own default is 5 minutes.
const SERVER_OPTIONS = { headersTimeout: 10_000, requestTimeout: 30_000 };

function fail(message: string): never {
  process.stderr.write(`iys-consent: ${message.replace(/[\r\n]+/g, ' ')}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const logger = createLogger();
  const storeKind = config.databaseUrl.startsWith('file:') ? 'sqlite' : 'postgres';

  const store = openStore(config.databaseUrl, { logger });
  try {
    await store.init();
  } catch (err) {
    // The message of a driver error names host/port or path, never the URL's password.
    fail(`IYS_DATABASE_URL: cannot open the ${storeKind} ledger: ${(err as Error).message}`);
  }

  const health = new HealthChecks();
  const app = createApp({ config, store, logger, health });

  // Seam: the dispatcher (server/dispatch/) and, with config.sandbox, the built-in İYS sandbox
  // (server/sandbox/) start here, with the same store, logger and health checks, and are stopped
  // in shutdown() below before the store closes.

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host, serverOptions: SERVER_OPTIONS }, (info: AddressInfo) => {
    logger.info(
      { event: 'collector.started', host: config.host, port: info.port, store: storeKind, sandbox: config.sandbox, allowedOrigins: config.allowedOrigins.length },
      `iys-consent collector listening on http://${config.host}:${info.port} (${storeKind} ledger${config.sandbox ? ', İYS sandbox' : ''})`,
    );
  });
  server.on('error', (err) => fail(`cannot listen on ${config.host}:${config.port}: ${err.message}`));

  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'collector.stopping', signal }, 'stopping: no new connections, finishing requests in flight');
    const cut = setTimeout(() => (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.(), SHUTDOWN_GRACE_MS);
    cut.unref();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(cut);
    await store.close();
    logger.info({ event: 'collector.stopped' }, 'stopped');
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => fail(`start-up failed: ${err instanceof Error ? err.message : String(err)}`));
