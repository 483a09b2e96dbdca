import { serve } from '@hono/node-server';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createApp } from '../../server/runtime/app.ts';
import { testConfig, type Config } from '../../server/runtime/config.ts';
import { createLogger } from '../../server/log/logger.ts';
import type { Reachability } from '../../server/observability/iys-reachability.ts';
import { createMetrics, type Metrics, type PauseStatus } from '../../server/observability/metrics.ts';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export type OperatorServer = {
  url: string;
  app: Hono;
  store: SqliteStore;
  metrics: Metrics;
  logs: string[];
  pause: PauseStatus;
  /** Whether iletiMerkezi answers, as the test sets it. */
  reach: { now: Reachability };
  auth: Record<string, string>;
  close(): Promise<void>;
};

/**
 * The collector as an operator meets it, on 127.0.0.1:0 with the real SQLite store in a temp dir:
 * request ids on every request, the collector's routes, and the operator routes, all from createApp,
 * with a pause and iletiMerkezi's reachability the test sets by hand where the runtime reads the dispatcher's.
 */
export async function startOperator(opts: { adminToken?: string | null; config?: Partial<Config>; maxFailures?: number } = {}): Promise<OperatorServer> {
  const dir = mkdtempSync(join(tmpdir(), 'iys-operator-'));
  const store = new SqliteStore(join(dir, 'ledger.db'));
  await store.init();
  const logs: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logs.push(line) } });
  const pause: PauseStatus = { paused: false };
  const reach: { now: Reachability } = { now: { reachable: true } };
  const metrics = createMetrics({ store });
  const adminToken = opts.adminToken === undefined ? ADMIN_TOKEN : opts.adminToken;
  const config = testConfig({ ...opts.config, admin: { token: adminToken ?? null } });

  const app = createApp({ config, store, logger, metrics, pauseStatus: () => pause, reachability: () => reach.now });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    store,
    metrics,
    logs,
    pause,
    reach,
    auth: { authorization: `Bearer ${adminToken}` },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
