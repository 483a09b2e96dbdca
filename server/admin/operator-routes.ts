import { Hono } from 'hono';
import { metricsRoutes } from '../observability/metrics-routes.ts';
import type { Metrics } from '../observability/metrics.ts';
import { openApiRoutes } from '../observability/openapi.ts';
import { adminRoutes, type AdminDeps } from './admin-routes.ts';

/** Everything an operator calls besides /healthz: the admin endpoints, /metrics and /openapi.json. */
export function operatorRoutes(deps: AdminDeps & { metrics: Metrics }): Hono {
  return new Hono()
    .route('/', adminRoutes(deps))
    .route('/', metricsRoutes(deps.metrics))
    .route('/', openApiRoutes());
}
