import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';

/**
 * The ingest baseline: the same path, served the same way (@hono/node-server), parsing the same
 * body and answering 202 with a body of the same shape, but no validation, no ledger, no logging.
 */
const app = new Hono();
let n = 0;
app.post('/v1/consents', async (c) => {
  const body = (await c.req.json()) as { channels?: unknown[] };
  const ids = Array.from({ length: Array.isArray(body.channels) ? body.channels.length : 1 }, () => `bare-${++n}`);
  return c.json({ ids, state: 'pending' }, 202);
});

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${info.port}` });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
