import { Hono } from 'hono';
import { noticeVersionSchema, publicNoticeQuerySchema, type RegisteredNoticeView } from '../../shared/notice-api.ts';
import { toFieldIssues } from '../../shared/issues.ts';
import { errorResponse, storeUnavailable } from '../http/errors.ts';
import { originGate } from '../http/origin-gate.ts';
import type { Logger } from '../log/logger.ts';
import type { ProofStore } from '../stores/proof-store.ts';

/**
 * GET /v1/notices/{version}?lang=tr: a registered text for any page, under the consent endpoint's
 * CORS, so a widget with `notice="VERSION"` shows exactly the registered words (and hashes them).
 * Public: a consent text is what every visitor is shown anyway.
 */
export function noticeRoute(opts: { proof: () => ProofStore; allowedOrigins: readonly string[]; logger: Logger }): Hono {
  // No refusal logging here: the consent post from that origin is refused and logged anyway.
  const gate = originGate({ allowedOrigins: opts.allowedOrigins, methods: ['GET'], headers: [] });
  const routes = new Hono();
  routes.options('/v1/notices/:version', gate);
  routes.get('/v1/notices/:version', gate, async (c) => {
    const version = noticeVersionSchema.safeParse(c.req.param('version'));
    const query = publicNoticeQuerySchema.safeParse({ lang: c.req.query('lang') || undefined });
    if (!version.success) return errorResponse(c, 422, 'invalid-query', 'the version is not a notice version', toFieldIssues(version.error, ['version']));
    if (!query.success) return errorResponse(c, 422, 'invalid-query', 'lang must be tr or en', toFieldIssues(query.error));
    let found;
    try {
      found = (await opts.proof().noticesOf(version.data)).find((n) => n.lang === query.data.lang);
    } catch (err) {
      opts.logger.error({ event: 'notice.store-failed', err: (err as Error).message }, 'the ledger failed reading the notice registry: answered 503');
      return storeUnavailable(c, 'request');
    }
    if (!found) return errorResponse(c, 404, 'not-found', `no notice version ${JSON.stringify(version.data)} in ${query.data.lang} is registered`);
    // Registered texts never change: a browser and a CDN may keep one a day.
    c.header('Cache-Control', 'public, max-age=86400');
    return c.json({ version: found.version, lang: found.lang, text: found.text, hash: found.hash } satisfies Omit<RegisteredNoticeView, 'registeredAt'>);
  });
  return routes;
}
