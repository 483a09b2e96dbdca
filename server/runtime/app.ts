import { Hono } from 'hono';
import type { Config } from './config.ts';
import { DEMO_PAGES } from './package-root.ts';
import { widgetRoute } from './widget-route.ts';
import { consoleRoute } from './console-route.ts';
import type { Logger } from '../log/logger.ts';
import type { ConsentStore } from '../stores/store.ts';
import { errorResponse } from '../http/errors.ts';
import { originGate } from '../http/origin-gate.ts';
import { requestId } from '../http/request-id.ts';
import { consentRoutes } from '../intake/consent-route.ts';
import { noticeGate } from '../intake/notice-registry.ts';
import { noticeRoute } from '../intake/notice-route.ts';
import { formTokenGate } from '../intake/form-token-gate.ts';
import { formTokenRoute } from '../intake/form-token-route.ts';
import { adminRoutes } from '../admin/admin-routes.ts';
import type { SendingControl } from '../admin/console-routes.ts';
import type { VerifyRecipient } from '../admin/consents-routes.ts';
import { demoRoutes } from '../demo/demo-routes.ts';
import { HealthChecks, healthRoutes } from '../observability/health.ts';
import { createMetrics, type Metrics, type PauseStatus } from '../observability/metrics.ts';
import { metricsRoutes } from '../observability/metrics-routes.ts';
import { openApiRoutes } from '../observability/openapi.ts';
import type { Reachability } from '../observability/iys-reachability.ts';
import { storeWriteCheck } from '../observability/ledger-probe.ts';
import { addOperatorHealthChecks } from '../observability/operator-health.ts';
import type { Sandbox } from '../sandbox/index.ts';
import type { SmsSender } from '../iletimerkezi/sms-client.ts';
import type { VerificationFlow } from '../intake/verification-flow.ts';
import { verificationRoutes } from '../intake/verification-routes.ts';
import { makeVerification } from './verification-setup.ts';

export type AppDeps = {
  config: Config;
  store: ConsentStore;
  logger: Logger;
  /** The clock (epoch ms); tests pass their own. */
  now?: () => number;
  /** Prometheus metrics; the runtime passes the object the dispatcher feeds too. Made here when not given. */
  metrics?: Metrics;
  /**
   * Whether the dispatcher has paused sending, for /metrics and /healthz. The runtime makes the
   * dispatcher only once the server listens (the sandbox's URL is known then), so it passes a
   * getter that reads the dispatcher once there is one. Given, /healthz also reports records near
   * their İYS deadline; an app without a dispatcher (most tests) leaves both out.
   */
  pauseStatus?: () => PauseStatus;
  /** The dispatcher, for the console's sending state and the operator's pause; a getter for the same reason as pauseStatus. */
  sending?: () => SendingControl | null;
  /** Read-back's verification on demand (the lookup's verify=1); a getter for the same reason as pauseStatus. */
  verify?: () => VerifyRecipient | null;
  /** Whether iletiMerkezi answers the dispatcher (iys-reachability.ts), for /healthz and /metrics; given with pauseStatus. */
  reachability?: () => Reachability;
  /** The built-in İYS sandbox (IYS_SANDBOX=1), mounted at /sandbox. */
  sandbox?: Sandbox | null;
  /** Serve the demo pages at `/` and `/demo/*` and the sandbox's view and controls (npm start). Needs the sandbox. */
  demo?: boolean;
  /** The SMS code double opt-in; made here from the configuration (with `sms`) when not given. */
  verification?: VerificationFlow | null;
  /** The send-sms client for the verification code; a getter for the same reason as pauseStatus. */
  sms?: () => SmsSender | null;
};

/** The collector's whole HTTP app, every route group composed here and nowhere else. */
export function createApp(deps: AppDeps): Hono {
  const { config, store, logger, now, pauseStatus, reachability, sandbox } = deps;
  // Readiness: the one check that takes the collector out of rotation (docs/contract.md, /healthz).
  const health = new HealthChecks().addCheck('store', storeWriteCheck(store, logger, now), 'readiness');
  const metrics = deps.metrics ?? createMetrics({ store, now });
  if (pauseStatus) {
    addOperatorHealthChecks(health, { store, pauseStatus, reachability, now, readback: config.readback !== null });
    metrics.attach({ pauseStatus, reachability });
  }

  const app = new Hono();
  app.use(requestId(logger));
  app.route('/', healthRoutes(health));
  const verification = deps.verification !== undefined
    ? deps.verification
    : makeVerification({ config, store, logger, metrics, sms: deps.sms ?? (() => null), now });
  const proof = () => store.proof();
  const notices = noticeGate({ proof, policy: config.noticePolicy, logger });
  const { key, ttlS } = config.formToken;
  const formTokens = formTokenGate({ key, ttlMs: ttlS * 1000, allowNoOrigin: config.allowNoOrigin, proof, now: now ?? Date.now, logger });
  app.route('/', consentRoutes({ config, store, logger, now, metrics, verification, notices, formTokens }));
  app.route('/', formTokenRoute({ key, ttlS, allowedOrigins: config.allowedOrigins, now: now ?? Date.now, logger }));
  app.route('/', verificationRoutes({ config, flow: verification, logger, now }));
  app.route('/', noticeRoute({ proof, allowedOrigins: config.allowedOrigins, logger }));
  app.route('/', adminRoutes({
    store, adminToken: config.admin.token, trustProxy: config.trustProxy, logger, now, flushMs: config.flushMs, sending: deps.sending, verify: deps.verify,
  }));
  app.route('/', metricsRoutes(metrics));
  app.route('/', openApiRoutes());
  app.route('/', widgetRoute());
  app.route('/', consoleRoute());
  if (deps.demo) {
    // The demo's controls change what the sandbox does and plant records: like a consent post, a
    // browser may use them only from an allowed origin, so another site cannot post to them.
    const controlsGate = originGate({ allowedOrigins: config.allowedOrigins, methods: ['POST'], headers: ['Content-Type'] });
    app.use('/demo/api/sandbox', controlsGate);
    app.use('/demo/api/citizen-ret', controlsGate);
    app.use('/sandbox/_sandbox/*', controlsGate);
  }
  if (sandbox) {
    // The sandbox's view and controls show every stored number and change its behaviour: only the
    // demo, a local toy, serves them; a collector run with IYS_SANDBOX=1 keeps just the API.
    if (!deps.demo) app.all('/sandbox/_sandbox/*', (c) => errorResponse(c, 404, 'not-found', 'the sandbox view is served only by the demo (npm start)'));
    app.route('/sandbox', sandbox.app);
  }
  if (deps.demo) {
    if (!sandbox) throw new Error('the demo needs IYS_SANDBOX=1');
    app.route('/', demoRoutes({ store, sandbox, health, pagesDir: DEMO_PAGES, now, verify: deps.verify }));
  }

  answerWrongMethods(app, OWN_PATHS);
  app.notFound((c) => errorResponse(c, 404, 'not-found', `no ${c.req.method} ${c.req.path} here`));
  app.onError((err, c) => {
    // Only a bug of ours lands here; client input is answered with a 4xx before it can.
    logger.error({ event: 'http.unhandled', err: err.message, stack: err.stack, path: c.req.path }, 'unhandled error');
    return errorResponse(c, 500, 'internal', 'an unexpected error; it has been logged');
  });
  return app;
}

/** The collector's own paths: a wrong method on one gets 405 with Allow, not a misleading 404. */
const OWN_PATHS = [
  '/v1/consents', '/v1/consents/batch', '/v1/export', '/v1/form-token', '/v1/notices/:version', '/v1/verifications/:id',
  '/v1/admin/notices', '/v1/admin/notices/:version', '/healthz', '/metrics', '/openapi.json',
];

/**
 * Registered after every route, so it is reached only when no route of the path took the method.
 * Allow is read from the app's own routes; HEAD comes with GET (Hono answers it from the GET route).
 */
function answerWrongMethods(app: Hono, paths: readonly string[]): void {
  for (const path of paths) {
    const methods = new Set(app.routes.filter((r) => r.path === path && r.method !== 'ALL').map((r) => r.method));
    // A path this configuration does not serve (no admin token, no SMS sender) stays a 404.
    if (methods.size === 0) continue;
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
