import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../log/logger.ts';

/**
 * Gives every request an id, answers it in `X-Request-Id`, and hands handlers a child logger
 * (`c.get('log')`) that stamps the id on each line. An id sent by a proxy is kept when it looks
 * like an id, so one request can be followed across both logs. One line per request says how it
 * ended: the access line, with the path without its query (a query may carry a recipient,
 * `?recipient=…`), unless the handler's own line said so already.
 */

export type RequestIdVariables = {
  requestId: string;
  log: Logger;
  /** Set by a handler whose own line already says how the request ended (consent.accepted): no access line then. */
  accessLogged?: boolean;
};
export type RequestIdEnv = { Variables: RequestIdVariables };

export const REQUEST_ID_HEADER = 'X-Request-Id';
const SAFE_ID = /^[\w.:-]{1,128}$/;
// Polled every few seconds by load balancers, Prometheus, the demo's ledger view and an open
// console's dashboard: their access lines go to debug, or they would drown the ones that matter.
const POLLED = /^\/(healthz|metrics|demo\/api\/ledger|v1\/admin\/overview)$/;

export function requestId(logger: Logger, opts: { accessLog?: boolean } = {}): MiddlewareHandler<RequestIdEnv> {
  const accessLog = opts.accessLog ?? true;
  return async (c, next) => {
    const incoming = c.req.header(REQUEST_ID_HEADER);
    const id = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ requestId: id });
    c.set('requestId', id);
    c.set('log', log);
    // Set before the handler answers, so the answer is built with it; setting a header on a finished
    // answer makes Hono copy the whole Response. A handler that returns a Response of its own drops it: set it then.
    c.header(REQUEST_ID_HEADER, id);
    const started = performance.now();
    try {
      await next();
    } finally {
      if (c.res.headers.get(REQUEST_ID_HEADER) !== id) c.header(REQUEST_ID_HEADER, id);
      if (accessLog && !c.get('accessLogged')) {
        const level = c.req.method === 'GET' && POLLED.test(c.req.path) && c.res.status < 400 ? 'debug' : 'info';
        log[level](
          { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 },
          'request',
        );
      }
    }
  };
}
