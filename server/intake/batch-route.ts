import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { batchEnvelopeSchema } from '../../shared/admin-api.ts';
import { toFieldIssues, type FieldIssue } from '../../shared/issues.ts';
import { maskRecipient } from '../../shared/recipient.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { RequestIdEnv } from '../http/request-id.ts';
import type { ConsentStore, InsertResult } from '../stores/store.ts';
import { IdempotencyKeyReusedError } from '../stores/idempotency.ts';
import { bodyLimit, bodyRefused, type BodyRefusal, type BodyTextEnv } from '../http/body-limit.ts';
import { errorResponse, idempotencyKeyReused, storeUnavailable } from '../http/errors.ts';
import { keysOf, stateIssues } from './batch-states.ts';
import { checkBatchInChunks, type BadRecord } from './batch-validate.ts';

/** Server-to-server batches run to tens of MB (a call centre's day); the public endpoint's limit is far smaller. */
export const BATCH_BODY_LIMIT = 64 * 1024 * 1024;
/** A 422 names at most this many issues, so a wholly bad 100 000-record batch does not answer with 100 MB. */
export const MAX_REPORTED_ISSUES = 1000;

export type BatchRouteOptions = {
  store: ConsentStore;
  auth: MiddlewareHandler;
  clientIp: (c: Context) => string | null;
  now: () => number;
  /** What the dispatcher needs before a record's last sending moment (sendability.ts, intakeHeadroomMs). */
  headroomMs: number;
  logger?: Logger;
  /** Called after each validated chunk of a batch (records checked so far, total). */
  onProgress?: (checked: number, total: number) => void;
};

function refuseBatchBody(c: Context, refusal: BodyRefusal): Response {
  if (refusal.reason !== 'too-large') return bodyRefused(c, refusal);
  return errorResponse(c, 413, 'body-too-large', `the body is over ${refusal.maxBytes / 1024 / 1024} MB: send the records in several batches`);
}

/**
 * POST /v1/consents/batch: every record checked on its own, then the batch against the İYS state
 * rules (the ledger's latest records plus the batch's own), before any is stored; then one atomic
 * insert. An optional idempotencyKey makes a retried upload answer the first ids.
 */
export function batchRoutes(opts: BatchRouteOptions): Hono<RequestIdEnv & BodyTextEnv> {
  const body = bodyLimit({ maxBytes: BATCH_BODY_LIMIT, onError: refuseBatchBody });
  return new Hono<RequestIdEnv & BodyTextEnv>().post('/v1/consents/batch', opts.auth, body, async (c) => {
    const log = (c.get('log') as Logger | undefined) ?? opts.logger ?? silentLogger;
    let json: unknown;
    try {
      json = JSON.parse(c.var.bodyText);
    } catch {
      return errorResponse(c, 400, 'invalid-json', 'the body is not JSON');
    }
    const envelope = batchEnvelopeSchema.safeParse(json);
    if (!envelope.success) return errorResponse(c, 422, 'invalid-body', 'the body must be {"records": [ … ], "idempotencyKey"?: "…"}', toFieldIssues(envelope.error));
    const { records: raws, idempotencyKey = null } = envelope.data;

    const ip = opts.clientIp(c);
    const checked = await checkBatchInChunks(raws, { nowMs: opts.now(), headroomMs: opts.headroomMs, ip, userAgent: c.req.header('user-agent') ?? null }, { onProgress: opts.onProgress });
    const records = checked.valid.map((v) => v.record);

    const storeFailed = (err: unknown) => {
      log.error({ event: 'admin.batch.store-failed', err: (err as Error).message }, 'the ledger failed during a batch: answered 503');
      return storeUnavailable(c, 'batch');
    };
    const accepted = (result: InsertResult) => {
      log.info({
        event: 'admin.batch', count: result.ids.length, ip, sample: maskRecipient(records[0]!.record.recipient),
        idempotencyKey, duplicate: result.duplicate,
      }, result.duplicate ? 'batch repeated (idempotency key seen): same ids' : 'batch stored');
      return c.json({ ids: result.ids, state: 'pending' as const }, 202);
    };

    let bad: BadRecord[] = checked.bad;
    try {
      // A retry of a stored batch is answered before the state rules, which would refuse its records as repeats.
      if (bad.length === 0 && idempotencyKey !== null) {
        const replayed = await opts.store.replay(idempotencyKey, records);
        if (replayed) return accepted(replayed);
      }
      const judged = checked.valid.map((v) => ({ index: v.index, record: v.record.record }));
      const latest = await opts.store.latestOfKeys(keysOf(judged));
      bad = [...bad, ...stateIssues(judged, latest)].sort((a, b) => a.index - b.index);
    } catch (err) {
      if (err instanceof IdempotencyKeyReusedError) return idempotencyKeyReused(c);
      return storeFailed(err);
    }
    if (bad.length > 0) {
      const issues: FieldIssue[] = bad.flatMap((b) => b.issues.map((i) => ({ path: i.path === '(body)' ? `records.${b.index}` : `records.${b.index}.${i.path}`, message: i.message })));
      const shown = issues.slice(0, MAX_REPORTED_ISSUES);
      const more = issues.length > shown.length ? ` (the first ${shown.length} issues are listed)` : '';
      return errorResponse(c, 422, 'invalid-records', `${bad.length} of ${raws.length} records are bad; nothing was stored${more}`, shown);
    }

    try {
      return accepted(await opts.store.insert(records, idempotencyKey));
    } catch (err) {
      if (err instanceof IdempotencyKeyReusedError) return idempotencyKeyReused(c);
      return storeFailed(err);
    }
  });
}
