import { Hono, type Context } from 'hono';
import { intakeHeadroomMs } from '../../shared/sendability.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { ConsentStore } from '../stores/store.ts';
import { adminAuth } from './auth.ts';
import { clientIp as clientIpOf, rateKeyOf } from '../http/client-ip.ts';
import { batchRoutes } from '../intake/batch-route.ts';
import { consentsRoutes, type VerifyRecipient } from './consents-routes.ts';
import { consoleRoutes, type SendingControl } from './console-routes.ts';
import { exportRoutes } from './export-routes.ts';
import { FailureLimiter } from './failure-limiter.ts';
import { reportRoutes } from './report-routes.ts';
import { noticeRoutes } from './notice-routes.ts';

/** What the admin routes need from the app that mounts them. */
export type AdminDeps = {
  store: ConsentStore;
  /** IYS_ADMIN_TOKEN; null or undefined switches the admin endpoints off (403). */
  adminToken: string | null | undefined;
  /** IYS_TRUST_PROXY: count failed logins by the proxy's X-Forwarded-For entry instead of the socket peer. */
  trustProxy?: boolean;
  limiter?: FailureLimiter;
  logger?: Logger;
  now?: () => number;
  /** IYS_FLUSH_MS (default 1000): a batch or a re-queue leaves it, and a pass, before a record's deadline (sendability.ts). */
  flushMs?: number;
  /** This process's dispatcher, for the console's sending state and the operator's pause. */
  sending?: () => SendingControl | null;
  /** Read-back's verification on demand (the lookup's verify=1); a getter, made with the dispatcher. */
  verify?: () => VerifyRecipient | null;
};

/**
 * The admin endpoints, each guarded by the bearer token on its own route (never by a path-wide
 * middleware: POST /v1/consents beside GET /v1/consents is the public endpoint). Mount with
 * `app.route('/', adminRoutes(deps))`.
 */
export function adminRoutes(deps: AdminDeps): Hono {
  const now = deps.now ?? Date.now;
  // Failed logins are counted per IPv4 address or IPv6 /64, like the collector's rate limit.
  const clientIp = (c: Context) => rateKeyOf(clientIpOf(c, deps.trustProxy ?? false));
  const auth = adminAuth({ token: deps.adminToken, clientIp, limiter: deps.limiter ?? new FailureLimiter(), now });
  const flushMs = deps.flushMs ?? 1000;
  return new Hono()
    .route('/', consentsRoutes(deps.store, auth, deps.logger ?? silentLogger, deps.verify))
    .route('/', batchRoutes({ store: deps.store, auth, clientIp: (c) => clientIpOf(c, deps.trustProxy ?? false), now, headroomMs: intakeHeadroomMs(flushMs), logger: deps.logger }))
    .route('/', exportRoutes({ store: deps.store, auth, now, logger: deps.logger ?? silentLogger }))
    .route('/', consoleRoutes({
      store: deps.store, auth, now, clientIp: (c) => clientIpOf(c, deps.trustProxy ?? false), flushMs,
      sending: deps.sending, logger: deps.logger,
    }))
    .route('/', reportRoutes({ store: deps.store, auth, now }))
    .route('/', noticeRoutes({ store: deps.store, auth, now, logger: deps.logger }));
}
