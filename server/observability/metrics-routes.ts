import { Hono } from 'hono';
import type { Metrics } from './metrics.ts';

/** GET /metrics: Prometheus text. Counts and ages only, no recipient, so it needs no token. */
export function metricsRoutes(metrics: Metrics): Hono {
  return new Hono().get('/metrics', async (c) => c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType }));
}
