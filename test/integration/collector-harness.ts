import { serve } from '@hono/node-server';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createApp } from '../../server/runtime/app.ts';
import { testConfig, type Config } from '../../server/runtime/config.ts';
import { createLogger } from '../../server/log/logger.ts';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';

/** A collector on 127.0.0.1:0 with the real SQLite store in a temp dir, and the log lines it wrote. */
export type RunningCollector = {
  url: string;
  store: SqliteStore;
  logs: string[];
  close(): Promise<void>;
};

export async function startCollector(overrides: Partial<Config> = {}): Promise<RunningCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'iys-collector-'));
  const store = new SqliteStore(join(dir, 'ledger.db'));
  await store.init();
  const logs: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logs.push(line) } });
  const app = createApp({ config: testConfig(overrides), store, logger });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    logs,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A consent body stamped with the current Turkey time. */
export function consentBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { recipient: '0532 123 45 67', channels: ['MESAJ', 'ARAMA'], consentDate: formatTurkeyTime(Date.now()), ...over };
}

export function postConsent(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v1/consents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
