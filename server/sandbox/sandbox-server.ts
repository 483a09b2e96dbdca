import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Logger } from '../log/logger.ts';
import type { Sandbox } from './sandbox-app.ts';

/** Serves a sandbox on its own port (tests, benchmarks); the collector mounts `sandbox.app` instead. */
export function startSandboxServer(
  sandbox: Sandbox,
  opts: { host?: string; port?: number } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const host = opts.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: sandbox.app.fetch, hostname: host, port: opts.port ?? 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            // Keep-alive sockets of clients would hold close() open: end them.
            (server as Server).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
    server.once('error', reject);
  });
}

/** The one start-up line that says plainly that nothing reaches İYS. */
export function logSandboxBanner(logger: Logger): void {
  logger.warn(
    { event: 'sandbox.enabled', sandbox: true },
    'IYS_SANDBOX=1: consents go to the built-in İYS sandbox in this process; NOTHING is sent to iletiMerkezi or İYS',
  );
}
