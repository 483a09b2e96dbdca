import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type Context } from 'hono';
import type { z } from 'zod';
import { toFieldIssues } from '../../shared/issues.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { errorResponse } from '../http/errors.ts';
import { CONSENT_CREATE_PATH, CONSENT_SHOW_PATH } from '../iletimerkezi/client.ts';
import { applyOutsideChange, outsideChangeSchema, type OutsideChange } from './outside-changes.ts';
import {
  applyPatch,
  initialOptions,
  sandboxPatchSchema,
  type SandboxInit,
  type SandboxOptions,
  type SandboxPatch,
} from './sandbox-controls.ts';
import { seededRandom } from './seeded-random.ts';
import { sandboxSms, type SandboxSmsBox } from './sandbox-sms.ts';
import { SandboxLedger, type AskedKey, type ChangeVerdict, type SandboxRecord } from './sandbox-ledger.ts';

/** What the request log keeps of every request, to either endpoint. */
interface LoggedRequest {
  /** 1, 2, … since the last reset, numbered per endpoint. */
  requestNo: number;
  /** Epoch ms the request was judged. */
  at: number;
  bytes: number;
  /** The code answered, or that would have been answered when the connection was dropped. */
  code: number;
  message: string;
  /** Why, in English: what the real service does not tell. */
  reason: string;
  dropped: boolean;
}

/** One line of the consent/create request log. */
export interface RequestLogEntry extends LoggedRequest {
  /** Records in the list, when the body had one. */
  records: number | null;
}

/** One line of the consent/show request log: the key asked (null where the body had none, or a fault answered first). */
export interface ShowLogEntry extends LoggedRequest, AskedKey {}

/** The read-only view for tests and the demo dashboard. */
export interface SandboxView {
  /** Every record held, in the order stored, with where it came from (`origin`). */
  records(): readonly SandboxRecord[];
  /** consent/create requests by answered code ("200", "422", …) plus "dropped". */
  counts(): Readonly<Record<string, number>>;
  /** The last `logSize` consent/create requests, oldest first. */
  requests(): readonly RequestLogEntry[];
  /** consent/show requests (look-ups) by answered code plus "dropped", apart from create's. */
  showCounts(): Readonly<Record<string, number>>;
  /** The last `logSize` consent/show requests, oldest first. */
  showRequests(): readonly ShowLogEntry[];
  usage(): { month: string; used: number; quota: number | null };
  snapshot(): SandboxSnapshot;
}

export interface SandboxSnapshot {
  records: SandboxRecord[];
  counts: Record<string, number>;
  requests: RequestLogEntry[];
  showCounts: Record<string, number>;
  showRequests: ShowLogEntry[];
  usage: { month: string; used: number; quota: number | null };
  /** The current options, credentials left out. */
  controls: Omit<SandboxOptions, 'apiKey' | 'apiHash' | 'now' | 'refuseRecipients'> & { refuseRecipients: string[] };
}

export interface Sandbox {
  /** Routes relative to where it is mounted: `app.route('/sandbox', sandbox.app)` works. */
  app: Hono;
  state: SandboxView;
  configure(patch: SandboxPatch): void;
  /**
   * Makes a change İYS sees that the collector did not send: a panel entry (HS_* source) or the
   * citizen's own change (IYS_* source), under the İYS rules. Refused, with the reason, otherwise.
   */
  changeElsewhere(change: OutsideChange): ChangeVerdict;
  /** Forgets everything stored and counted, and restores the options given at creation. */
  reset(): void;
  /** send-sms's messages (the verification codes), for the tests and the demo. */
  sms: Pick<SandboxSmsBox, 'messages' | 'lastTo'>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts by answered code (and "dropped") and the last entries of one endpoint's requests. */
function requestBook<E extends LoggedRequest>(logSize: () => number) {
  let issued = 0;
  let counts: Record<string, number> = {};
  let log: E[] = [];
  return {
    next: () => ++issued,
    add(entry: E) {
      const key = entry.dropped ? 'dropped' : String(entry.code);
      counts[key] = (counts[key] ?? 0) + 1;
      log.push(entry);
      if (log.length > logSize()) log = log.slice(log.length - logSize());
    },
    counts: () => ({ ...counts }),
    entries: (): readonly E[] => log,
    reset() {
      issued = 0;
      counts = {};
      log = [];
    },
  };
}
type RequestBook<E extends LoggedRequest> = ReturnType<typeof requestBook<E>>;

/** A control's JSON body read with its schema, or the 400 naming the fields that do not fit. */
async function readControlBody<S extends z.ZodType>(c: Context, schema: S, code: 'invalid-controls' | 'invalid-change'): Promise<{ data: z.output<S> } | { refusal: Response }> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    return { refusal: errorResponse(c, 400, 'invalid-json', 'the body must be a JSON object') };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { data: parsed.data };
  const issues = toFieldIssues(parsed.error);
  return { refusal: errorResponse(c, 400, code, `invalid ${issues.map((i) => i.path).join(', ')}`, issues) };
}

/** A judged request: what to answer, and what the log keeps beyond the common fields. */
type Judged<D> = { code: number; message: string; reason: string; answer: unknown; detail: D };

/**
 * A stand-in for iletiMerkezi's consent/create and consent/show that follows the API documents and
 * the İYS rules, with faults on demand and changes made "elsewhere" (the brand's panel, the citizen
 * through İYS). Nothing leaves the process.
 */
export function createSandbox(init: SandboxInit): Sandbox {
  const ledger = new SandboxLedger();
  let options = initialOptions(init);
  let random = seededRandom(options.faults.seed);
  const creates = requestBook<RequestLogEntry>(() => options.logSize);
  const shows = requestBook<ShowLogEntry>(() => options.logSize);
  const sms = sandboxSms({ account: () => options, now: () => options.now() });

  const usage = () => {
    const now = options.now();
    return { month: formatTurkeyTime(now).slice(0, 7), used: ledger.usedInMonth(now), quota: options.monthlyQuota };
  };

  const state: SandboxView = {
    records: () => ledger.records(),
    counts: creates.counts,
    requests: creates.entries,
    showCounts: shows.counts,
    showRequests: shows.entries,
    usage,
    snapshot() {
      const { apiKey: _k, apiHash: _h, now: _n, refuseRecipients, ...rest } = options;
      return {
        records: [...ledger.records()],
        counts: creates.counts(),
        requests: [...creates.entries()],
        showCounts: shows.counts(),
        showRequests: [...shows.entries()],
        usage: usage(),
        controls: { ...rest, faults: { ...rest.faults }, refuseRecipients: [...refuseRecipients] },
      };
    },
  };

  function configure(patch: SandboxPatch): void {
    const seedChanged = patch.faults?.seed !== undefined && patch.faults.seed !== options.faults.seed;
    options = applyPatch(options, patch);
    if (seedChanged) random = seededRandom(options.faults.seed);
  }

  function changeElsewhere(change: OutsideChange): ChangeVerdict {
    const parsed = outsideChangeSchema.safeParse(change);
    if (!parsed.success) return { ok: false, reason: toFieldIssues(parsed.error).map((i) => `${i.path}: ${i.message}`).join('; ') };
    return applyOutsideChange(ledger, parsed.data, options.brandCode, options.now());
  }

  function reset(): void {
    ledger.reset();
    options = initialOptions(init);
    random = seededRandom(options.faults.seed);
    creates.reset();
    shows.reset();
    sms.reset();
  }

  /**
   * What every endpoint shares: the faults (500/503 or 429, nothing judged), then the judgement (and
   * what it stores), the delay, and the answer or a dropped connection. Three draws from the one PRNG
   * every time, so a seed replays the same faults whatever the rates are.
   */
  async function serveWithFaults<D>(
    c: Context,
    book: RequestBook<LoggedRequest & D>,
    unjudged: D,
    judge: (body: unknown, nowMs: number, requestNo: number) => Judged<D>,
  ): Promise<Response> {
    const requestNo = book.next();
    const text = await c.req.text();
    const bytes = Buffer.byteLength(text);
    const { faults } = options;
    const [failDraw, throttleDraw, dropDraw] = [random(), random(), random()];
    const nowMs = options.now();

    if (failDraw < faults.failureRate) {
      const code = failDraw < faults.failureRate / 2 ? 500 : 503;
      book.add({ requestNo, at: nowMs, bytes, ...unjudged, code, message: 'fault: server error', reason: 'failureRate', dropped: false });
      await sleep(faults.delayMs);
      const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
      if (code === 503) headers['retry-after'] = String(faults.retryAfterS);
      return new Response(code === 500 ? 'Internal Server Error' : 'Service Unavailable', { status: code, headers });
    }
    if (throttleDraw < faults.throttleRate) {
      book.add({ requestNo, at: nowMs, bytes, ...unjudged, code: 429, message: 'fault: throttled', reason: 'throttleRate', dropped: false });
      await sleep(faults.delayMs);
      return new Response('Too Many Requests', {
        status: 429,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(faults.retryAfterS) },
      });
    }

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const j = judge(body, nowMs, requestNo);
    const dropped = dropDraw < faults.dropRate;
    book.add({ requestNo, at: nowMs, bytes, ...j.detail, code: j.code, message: j.message, reason: j.reason, dropped });
    if (faults.delayMs > 0) await sleep(faults.delayMs);

    if (dropped) {
      const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
      if (!incoming) throw new Error('dropRate needs the sandbox served by @hono/node-server (no socket to drop)');
      incoming.socket.destroy();
      return RESPONSE_ALREADY_SENT;
    }
    return new Response(JSON.stringify(j.answer), { status: j.code, headers: { 'content-type': 'application/json; charset=utf-8' } });
  }

  const app = new Hono();
  app.route('/', sms.app);

  app.post(CONSENT_CREATE_PATH, (c) =>
    serveWithFaults<Pick<RequestLogEntry, 'records'>>(c, creates, { records: null }, (body, nowMs, requestNo) => {
      const j = ledger.handle(body, options, nowMs, requestNo);
      const status = { code: j.code, message: j.message };
      return { ...status, reason: j.reason, answer: { response: { status } }, detail: { records: j.listSize } };
    }),
  );

  app.post(CONSENT_SHOW_PATH, (c) =>
    serveWithFaults<AskedKey>(c, shows, { recipient: null, recipientType: null, type: null }, (body) => {
      const j = ledger.show(body, options);
      const status = { code: j.code, message: j.message };
      const answer = j.consent === undefined ? { response: { status } } : { response: { status, consent: j.consent } };
      return { ...status, reason: j.reason, answer, detail: j.asked };
    }),
  );

  app.get('/_sandbox/state', (c) => c.json(state.snapshot()));

  app.post('/_sandbox/controls', async (c) => {
    const parsed = await readControlBody(c, sandboxPatchSchema, 'invalid-controls');
    if ('refusal' in parsed) return parsed.refusal;
    configure(parsed.data);
    return c.json(state.snapshot().controls);
  });

  app.post('/_sandbox/changes', async (c) => {
    const parsed = await readControlBody(c, outsideChangeSchema, 'invalid-change');
    if ('refusal' in parsed) return parsed.refusal;
    const verdict = applyOutsideChange(ledger, parsed.data, options.brandCode, options.now());
    if (!verdict.ok) return errorResponse(c, 409, 'change-refused', `İYS would refuse this change: ${verdict.reason}`);
    return c.json(verdict.record, 201);
  });

  app.post('/_sandbox/reset', (c) => {
    reset();
    return c.json({ ok: true });
  });

  return { app, state, configure, changeElsewhere, reset, sms };
}
