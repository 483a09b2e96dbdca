import { ConfigError, loadConfig, type Config } from './config.ts';
import { startCollector } from './collector.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { StartupError } from './startup-errors.ts';

/**
 * `iys-consent serve` (and `demo`): the collector configured by `env`, running until signalled.
 * Bad configuration → one line on stderr, exit 1. SIGTERM/SIGINT → stop accepting, finish the
 * request to iletiMerkezi in flight, close the ledger, exit 0.
 */

function fail(message: string): never {
  process.stderr.write(`iys-consent: ${message.replace(/[\r\n]+/g, ' ')}\n`);
  process.exit(1);
}

export async function runCollector(env: Record<string, string | undefined>, opts: { demo: boolean }): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  // The demo's pages drive the sandbox; with iletiMerkezi they would send real registrations.
  if (opts.demo && !config.sandbox) fail('the demo runs only with the built-in İYS sandbox: leave IYS_SANDBOX unset or set it to 1');
  let logger: Logger;
  try {
    logger = createLogger();
  } catch (err) {
    fail((err as Error).message);
  }
  const storeKind = config.databaseUrl.startsWith('file:') ? 'sqlite' : 'postgres';

  let runtime;
  try {
    runtime = await startCollector(config, { logger, demo: opts.demo });
  } catch (err) {
    // A StartupError names the setting to fix (HOST, PORT, IYS_DATABASE_URL); anything else is not the operator's doing.
    fail(err instanceof StartupError ? err.message : `start-up failed: ${(err as Error).message}`);
  }
  logger.info(
    { event: 'collector.started', url: runtime.url, port: runtime.port, store: storeKind, sandbox: config.sandbox, allowedOrigins: config.allowedOrigins.length },
    `iys-consent collector listening on ${runtime.url} (${storeKind} ledger${config.sandbox ? ', İYS sandbox' : ''})`,
  );
  if (opts.demo) process.stdout.write(`\n  iys-consent demo: open ${runtime.url}/  (ledger view: ${runtime.url}/demo/ledger.html)\n\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'collector.stopping', signal }, 'stopping: no new connections, finishing requests in flight');
    await runtime.stop();
    logger.info({ event: 'collector.stopped' }, 'stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
