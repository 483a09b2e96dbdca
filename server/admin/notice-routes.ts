import { Hono, type MiddlewareHandler } from 'hono';
import { noticeRegistrationSchema, noticeVersionSchema, type RegisteredNoticeView } from '../../shared/notice-api.ts';
import { toFieldIssues } from '../../shared/issues.ts';
import { bodyLimit, type BodyTextEnv } from '../http/body-limit.ts';
import { errorResponse, storeUnavailable } from '../http/errors.ts';
import type { RequestIdEnv } from '../http/request-id.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { RegisteredNotice } from '../stores/proof-store.ts';
import type { ConsentStore } from '../stores/store.ts';
import { noticeHash } from '../intake/notice-registry.ts';

const view = (n: RegisteredNotice): RegisteredNoticeView => ({ ...n, registeredAt: new Date(n.registeredAt).toISOString() });

/**
 * The notice registry's admin endpoints: register a consent text (POST /v1/admin/notices), list them,
 * read one version's texts in full (GET /v1/admin/notices/{version}). A text, once registered, is
 * the evidence of what people agreed to: registering its version and language again with other
 * words is refused (409 notice-immutable); the same words again (whitespace aside, as the hash) answer the
 * registration as it is.
 */
export function noticeRoutes(opts: { store: Pick<ConsentStore, 'proof'>; auth: MiddlewareHandler; now: () => number; logger?: Logger }): Hono<RequestIdEnv & BodyTextEnv> {
  const log = opts.logger ?? silentLogger;
  const failed = (c: Parameters<typeof storeUnavailable>[0], err: unknown) => {
    log.error({ event: 'admin.notices.store-failed', err: (err as Error).message }, 'the ledger failed on the notice registry: answered 503');
    return storeUnavailable(c, 'request');
  };
  return new Hono<RequestIdEnv & BodyTextEnv>()
    .post('/v1/admin/notices', opts.auth, bodyLimit({ maxBytes: 256 * 1024 }), async (c) => {
      let json: unknown;
      try {
        json = JSON.parse(c.var.bodyText);
      } catch {
        return errorResponse(c, 400, 'invalid-json', 'the body is not JSON');
      }
      const body = noticeRegistrationSchema.safeParse(json);
      if (!body.success) return errorResponse(c, 422, 'invalid-body', 'the body must be {"version", "lang": "tr"|"en", "text"}', toFieldIssues(body.error));
      const wanted = { ...body.data, hash: noticeHash(body.data.text), registeredAt: opts.now() };
      let answer;
      try {
        answer = await opts.store.proof().registerNotice(wanted);
      } catch (err) {
        return failed(c, err);
      }
      // The hash covers the whitespace-collapsed words, so the comparison does too: other line breaks are the same text.
      if (!answer.created && answer.notice.hash !== wanted.hash) {
        return errorResponse(c, 409, 'notice-immutable', `notice version ${JSON.stringify(wanted.version)} (${wanted.lang}) is registered with another text, and a registered text never changes: register the new text under a new version`, [
          { path: 'text', message: `differs from the registered text (${answer.notice.hash})` },
        ]);
      }
      (c.get('log') ?? log).info({ event: 'admin.notice-registered', version: wanted.version, lang: wanted.lang, hash: answer.notice.hash, created: answer.created }, answer.created ? 'notice registered' : 'notice registered already, same text');
      return c.json(view(answer.notice), answer.created ? 201 : 200);
    })
    .get('/v1/admin/notices', opts.auth, async (c) => {
      try {
        return c.json({ notices: (await opts.store.proof().allNotices()).map(({ text: _, ...n }) => ({ ...n, registeredAt: new Date(n.registeredAt).toISOString() })) });
      } catch (err) {
        return failed(c, err);
      }
    })
    .get('/v1/admin/notices/:version', opts.auth, async (c) => {
      const version = noticeVersionSchema.safeParse(c.req.param('version'));
      if (!version.success) return errorResponse(c, 422, 'invalid-query', 'the version is not a notice version', toFieldIssues(version.error, ['version']));
      let notices;
      try {
        notices = await opts.store.proof().noticesOf(version.data);
      } catch (err) {
        return failed(c, err);
      }
      if (notices.length === 0) return errorResponse(c, 404, 'not-found', `no notice version ${JSON.stringify(version.data)} is registered`);
      return c.json({ version: version.data, notices: notices.map(view) });
    });
}
