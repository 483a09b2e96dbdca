import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { batchBodySchema } from '../../shared/consent-body.ts';
import { toFieldIssues, type FieldIssue } from '../../shared/issues.ts';
import type { ConsentStore } from '../stores/store.ts';
import { readBodyText } from '../collector/body-limit.ts';
import { errorBody } from './admin-deps.ts';
import { validateBatch } from './batch-validate.ts';

/** Server-to-server batches run to tens of MB (a call centre's day); the public endpoint's limit is far smaller. */
export const BATCH_BODY_LIMIT = 64 * 1024 * 1024;
/** A 422 names at most this many issues, so a wholly bad 100 000-record batch does not answer with 100 MB. */
export const MAX_REPORTED_ISSUES = 1000;

export type BatchRouteOptions = {
  store: ConsentStore;
  auth: MiddlewareHandler;
  clientIp: (c: Context) => string | null;
  now: () => number;
};

/** POST /v1/consents/batch: all records validated before any is stored; then one atomic insert. */
export function batchRoutes(opts: BatchRouteOptions): Hono {
  return new Hono().post('/v1/consents/batch', opts.auth, async (c) => {
    const read = await readBodyText(c.req.raw, BATCH_BODY_LIMIT);
    if (!read.ok) {
      if (read.reason === 'too-large') return c.json(errorBody('body-too-large', `the body is over ${BATCH_BODY_LIMIT / 1024 / 1024} MB: send the records in several batches`), 413);
      return c.json(errorBody('body-unreadable', read.reason === 'not-utf8' ? 'the body is not UTF-8 text' : 'the body could not be read to its end'), 400);
    }
    let json: unknown;
    try {
      json = JSON.parse(read.text);
    } catch {
      return c.json(errorBody('invalid-json', 'the body is not JSON'), 400);
    }
    const body = batchBodySchema.safeParse(json);
    if (!body.success) return c.json(errorBody('invalid-body', 'the body must be {"records": [ … ]}', toFieldIssues(body.error)), 422);

    const verdict = validateBatch(body.data.records, {
      nowMs: opts.now(),
      ip: opts.clientIp(c),
      userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
    });
    if (!verdict.ok) {
      const issues: FieldIssue[] = verdict.bad.flatMap((b) => b.issues.map((i) => ({ path: i.path === '(body)' ? `records.${b.index}` : `records.${b.index}.${i.path}`, message: i.message })));
      const shown = issues.slice(0, MAX_REPORTED_ISSUES);
      const more = issues.length > shown.length ? ` (the first ${shown.length} issues are listed)` : '';
      return c.json(errorBody('invalid-records', `${verdict.bad.length} of ${body.data.records.length} records are bad; nothing was stored${more}`, shown), 422);
    }
    const { ids } = await opts.store.insert(verdict.records);
    return c.json({ ids, state: 'pending' as const }, 202);
  });
}
