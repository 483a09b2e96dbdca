import type { Logger } from '../log/logger.ts';
import type { ConsentStore } from '../stores/store.ts';
import type { FailureLimiter } from './failure-limiter.ts';

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
};

/** The admin answers' error shape, the collector's `{"error": {code, message, issues?}}`. */
export function errorBody(code: string, message: string, issues?: { path: string; message: string }[]) {
  return { error: issues ? { code, message, issues } : { code, message } };
}
