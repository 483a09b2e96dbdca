import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { lookupBodySchema, type NoticeMatches, type Overview, type RecipientView, type Reveal } from '../../shared/console-api.ts';
import { keyOf } from '../../shared/iys-record.ts';
import { toFieldIssues } from '../../shared/issues.ts';
import { maskRecipient, normaliseRecipient } from '../../shared/recipient.ts';
import type { DispatcherStatus } from '../dispatch/dispatcher.ts';
import { bodyLimit, type BodyTextEnv } from '../http/body-limit.ts';
import { errorResponse, storeUnavailable } from '../http/errors.ts';
import type { RequestIdEnv } from '../http/request-id.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import { HOUR_MS, type ConsentStore } from '../stores/store.ts';
import { deadlineItem, noticeMatches, recipientView, sendingView } from './console-views.ts';
import { recordsOfRecipient, recordsOfRef } from './recipient-load.ts';
import { judgeRequeue } from './requeue-rule.ts';

/** What the console needs of this process's dispatcher: its status and the operator's pause. */
export type SendingControl = { status(): DispatcherStatus; pause(): void; resume(): void };

export type ConsoleRouteOptions = {
  store: ConsentStore;
  auth: MiddlewareHandler;
  clientIp: (c: Context) => string | null;
  now: () => number;
  /** IYS_FLUSH_MS: a re-queued record may wait this long for its batch. */
  flushMs: number;
  /** The dispatcher, once there is one (the runtime makes it after the server listens); absent in an app without one. */
  sending?: () => SendingControl | null;
  logger?: Logger;
};

/** How many records the dashboard lists, and how far back its chart looks by default and at most. */
const NEAREST = 10;
const DEFAULT_HOURS = 24;
const MAX_HOURS = 24 * 7;
/** {"recipient": …}: an address is at most 320 characters. */
const LOOKUP_BODY_MAX = 4096;

/**
 * The console's API (docs/console.md; shapes in shared/console-api.ts): the dashboard's overview, a
 * recipient found by any form of their number or address (POST, so it stays out of URLs and access
 * logs) and then addressed by a record id, the logged reveal, re-queue, and the operator's pause.
 * Every answer is `Cache-Control: no-store`: they name people.
 */
type Env = RequestIdEnv & BodyTextEnv;

export function consoleRoutes(opts: ConsoleRouteOptions): Hono<Env> {
  const { store, auth, now } = opts;
  const logOf = (c: Context<Env>) => c.get('log') ?? opts.logger ?? silentLogger;
  const app = new Hono<Env>();
  app.use('/v1/admin/*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });

  app.get('/v1/admin/overview', auth, async (c) => {
    const hoursText = c.req.query('hours') ?? String(DEFAULT_HOURS);
    const hours = /^\d{1,3}$/.test(hoursText) ? Number(hoursText) : NaN;
    if (!(hours >= 1 && hours <= MAX_HOURS)) {
      return errorResponse(c, 422, 'invalid-query', 'hours is wrong', [{ path: 'hours', message: `a whole number of hours from 1 to ${MAX_HOURS}` }]);
    }
    const t = now();
    // Whole hours, the current one included, so the chart's bars line up with the clock.
    const to = (Math.floor(t / HOUR_MS) + 1) * HOUR_MS;
    const from = to - hours * HOUR_MS;
    try {
      const [counts, nearest, byHour, figures] = await Promise.all([
        store.countByState(), store.pendingByDeadline(NEAREST), store.requestsByHour(from, to), store.readbackFigures(),
      ]);
      const control = opts.sending?.() ?? null;
      const body: Overview = {
        at: new Date(t).toISOString(),
        counts,
        nearestDeadlines: nearest.map(deadlineItem),
        sending: control ? sendingView(control.status(), t) : null,
        requests: {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          hours: byHour.map((h) => ({ ...h, hourStart: new Date(h.hourStart).toISOString() })),
        },
        readback: { ...figures, lastCheckedAt: figures.lastCheckedAt === null ? null : new Date(figures.lastCheckedAt).toISOString() },
      };
      return c.json(body);
    } catch (err) {
      logOf(c).error({ event: 'admin.overview-failed', err: (err as Error).message }, 'the ledger failed while reading the overview');
      return storeUnavailable(c, 'request');
    }
  });

  app.get('/v1/admin/notice-matches', auth, async (c) => {
    try {
      return c.json(noticeMatches(await store.proof().noticeMatchCounts()) satisfies NoticeMatches);
    } catch (err) {
      logOf(c).error({ event: 'admin.notice-matches-failed', err: (err as Error).message }, 'the ledger failed while counting notice matches');
      return storeUnavailable(c, 'request');
    }
  });

  app.post('/v1/admin/lookup', auth, bodyLimit({ maxBytes: LOOKUP_BODY_MAX }), async (c) => {
    let json: unknown;
    try {
      json = JSON.parse(c.var.bodyText);
    } catch {
      return errorResponse(c, 400, 'invalid-json', 'the body is not JSON');
    }
    const body = lookupBodySchema.safeParse(json);
    if (!body.success) return errorResponse(c, 422, 'invalid-body', 'the body must be {"recipient": "…"}', toFieldIssues(body.error));
    const recipient = normaliseRecipient(body.data.recipient);
    if (!recipient.ok) return errorResponse(c, 422, 'invalid-body', 'the recipient is not a phone number or e-mail address', [{ path: 'recipient', message: recipient.message }]);
    const found = await recordsOfRecipient(store, recipient.value);
    logOf(c).info({ event: 'admin.console.lookup', recipient: maskRecipient(recipient.value), records: found?.records.length ?? 0 }, 'admin looked up a recipient in the console');
    if (!found) return errorResponse(c, 404, 'not-found', 'the ledger holds no record of this recipient');
    return c.json(recipientView(found) satisfies RecipientView);
  });

  app.get('/v1/admin/recipients/:ref', auth, async (c) => {
    const found = await recordsOfRef(store, c.req.param('ref'));
    if (!found) return errorResponse(c, 404, 'not-found', 'no record with this id');
    return c.json(recipientView(found) satisfies RecipientView);
  });

  app.post('/v1/admin/recipients/:ref/reveal', auth, async (c) => {
    const found = await recordsOfRef(store, c.req.param('ref'));
    if (!found) return errorResponse(c, 404, 'not-found', 'no record with this id');
    const recipient = found.records[0]!.recipient;
    // The reveal is itself evidence of who looked: logged with the recipient masked, never in full.
    logOf(c).info(
      { event: 'admin.reveal', recipient: maskRecipient(recipient), ref: c.req.param('ref'), requestId: c.get('requestId'), ip: opts.clientIp(c) },
      'admin revealed a full recipient in the console',
    );
    const body: Reveal = { recipient, asEntered: found.records.map((r) => ({ id: r.id, rawRecipient: r.evidence.rawRecipient })) };
    return c.json(body);
  });

  app.post('/v1/admin/records/:id/requeue', auth, async (c) => {
    const id = c.req.param('id');
    const [target] = await store.byIds([id]);
    if (!target) return errorResponse(c, 404, 'not-found', `no record ${id}`);
    const records = await store.byRecipient(target.recipient);
    const latest = (await store.latestOfKeys([keyOf(target)])).get(keyOf(target));
    const verdict = judgeRequeue({ id, records, latest, now: now(), flushMs: opts.flushMs });
    if (!verdict.ok) return errorResponse(c, verdict.status, verdict.code, verdict.reason);
    let newId: string;
    try {
      [newId] = (await store.insert([verdict.record])).ids as [string];
    } catch (err) {
      // The ledger's unique index on requeue_of: another operator re-queued it a moment before.
      const winner = (await store.byRecipient(target.recipient)).find((r) => r.requeueOf === id);
      if (winner) return errorResponse(c, 409, 'not-requeueable', `already re-queued as ${winner.id} (${winner.state})`);
      logOf(c).error({ event: 'admin.requeue-failed', err: (err as Error).message }, 'the ledger failed during a re-queue');
      return storeUnavailable(c, 'request');
    }
    logOf(c).info(
      { event: 'admin.requeue', recipient: maskRecipient(target.recipient), requeueOf: id, id: newId, ip: opts.clientIp(c) },
      'admin re-queued a record: a new pending record stands for it',
    );
    return c.json({ id: newId, requeueOf: id, state: 'pending' as const }, 201);
  });

  if (opts.sending) {
    const sending = opts.sending;
    const answer = (c: Context<Env>, act?: (control: SendingControl) => void) => {
      const control = sending();
      if (!control) return errorResponse(c, 503, 'sending-unavailable', 'the dispatcher is starting; try again in a moment');
      act?.(control);
      return c.json({ sending: sendingView(control.status(), now()) });
    };
    app.get('/v1/admin/sending', auth, (c) => answer(c));
    app.post('/v1/admin/sending/pause', auth, (c) => {
      logOf(c).warn({ event: 'admin.sending-paused', ip: opts.clientIp(c) }, 'the operator paused sending');
      return answer(c, (control) => control.pause());
    });
    app.post('/v1/admin/sending/resume', auth, (c) => {
      logOf(c).info({ event: 'admin.sending-resumed', ip: opts.clientIp(c) }, 'the operator resumed sending');
      return answer(c, (control) => control.resume());
    });
  }
  return app;
}
