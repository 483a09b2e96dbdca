import { Hono } from 'hono';
import type { Config } from './config.ts';
import type { Logger } from '../log/logger.ts';
import type { ConsentStore } from '../stores/store.ts';
import { consentRoutes } from '../intake/consent-route.ts';
import { errorResponse } from '../http/errors.ts';
import { HealthChecks, healthRoutes } from '../observability/health.ts';
import { operatorRoutes } from '../admin/operator-routes.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { requestId } from '../http/request-id.ts';

export type AppDeps = {
  config: Config;
  store: ConsentStore;
  logger: Logger;
  /** The clock (epoch ms); tests pass their own. */
  now?: () => number;
  /** Checks behind /healthz; pass your own to add checks (dispatcher, sandbox…). The store's is added here. */
  health?: HealthChecks;
  /** Prometheus metrics; the dispatcher feeds the same object. Made here when not given. */
  metrics?: Metrics;
};

/** The collector's HTTP app: every route group, composed. One line per group. */
export function createApp(deps: AppDeps): Hono {
  const health = deps.health ?? new HealthChecks();
  health.addCheck('store', async () => {
    try {
      await deps.store.ping();
    } catch (err) {
      // /healthz is public: a driver's message (host names, users, paths) stays in the log.
      deps.logger.error({ event: 'health.store-failed', err: (err as Error).message }, 'the ledger did not answer the health check');
      throw new Error('not answering');
    }
  });

  const metrics = deps.metrics ?? createMetrics({ store: deps.store, now: deps.now });
  const { config, store, logger, now } = deps;

  const app = new Hono();
  app.use(requestId(logger));
  app.route('/', healthRoutes(health));
  app.route('/', consentRoutes({ ...deps, metrics }));
  app.route('/', operatorRoutes({ store, adminToken: config.admin.token, trustProxy: config.trustProxy, logger, metrics, now }));

  answerWrongMethods(app, OWN_PATHS);
  app.notFound((c) => errorResponse(c, 404, 'not-found', `no ${c.req.method} ${c.req.path} here`));
  app.onError((err, c) => {
    // Only a bug of ours lands here; client input is answered with a 4xx before it can.
    deps.logger.error({ event: 'http.unhandled', err: err.message, stack: err.stack, path: c.req.path }, 'unhandled error');
    return errorResponse(c, 500, 'internal', 'an unexpected error; it has been logged');
  });
  return app;
}

/** The collector's own paths: a wrong method on one gets 405 with Allow, not a misleading 404. */
const OWN_PATHS = ['/v1/consents', '/v1/consents/batch', '/v1/export', '/healthz', '/metrics', '/openapi.json'];

/**
 * Registered after every route, so it is reached only when no route of the path took the method.
 * Allow is read from the app's own routes; HEAD comes with GET (Hono answers it from the GET route).
 */
function answerWrongMethods(app: Hono, paths: readonly string[]): void {
  for (const path of paths) {
    const methods = new Set(app.routes.filter((r) => r.path === path && r.method !== 'ALL').map((r) => r.method));
    if (methods.has('GET')) methods.add('HEAD');
    const allow = [...methods].sort().join(', ');
    app.all(path, (c) => {
      c.header('Allow', allow);
      // OPTIONS without an Origin is no CORS preflight (the origin gate answers those): just say what the path takes.
      if (c.req.method === 'OPTIONS') return c.body(null, 204);
      return errorResponse(c, 405, 'method-not-allowed', `${c.req.method} is not allowed on ${path}; use ${allow}`);
    });
  }
}
