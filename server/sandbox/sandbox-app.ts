import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { toFieldIssues } from '../../shared/issues.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { errorResponse } from '../http/errors.ts';
import { CONSENT_CREATE_PATH } from '../iletimerkezi/client.ts';
import {
  applyPatch,
  initialOptions,
  sandboxPatchSchema,
  type SandboxInit,
  type SandboxOptions,
  type SandboxPatch,
} from './sandbox-controls.ts';
import { seededRandom } from './seeded-random.ts';
import { SandboxLedger, type SandboxRecord } from './sandbox-ledger.ts';

/** One line of the sandbox's request log. */
export interface RequestLogEntry {
  requestNo: number;
  /** Epoch ms the request was judged. */
  at: number;
  bytes: number;
  /** Records in the list, when the body had one. */
  records: number | null;
  /** The code answered, or that would have been answered when the connection was dropped. */
  code: number;
  message: string;
  /** Why, in English: what the real service does not tell. */
  reason: string;
  dropped: boolean;
}

/** The read-only view for tests and the demo dashboard. */
export interface SandboxView {
  records(): readonly SandboxRecord[];
  /** Requests by answered code ("200", "422", …) plus "dropped". */
  counts(): Readonly<Record<string, number>>;
  /** The last `logSize` requests, oldest first. */
  requests(): readonly RequestLogEntry[];
  usage(): { month: string; used: number; quota: number | null };
  snapshot(): SandboxSnapshot;
}

export interface SandboxSnapshot {
  records: SandboxRecord[];
  counts: Record<string, number>;
  requests: RequestLogEntry[];
  usage: { month: string; used: number; quota: number | null };
  /** The current options, credentials left out. */
  controls: Omit<SandboxOptions, 'apiKey' | 'apiHash' | 'now' | 'refuseRecipients'> & { refuseRecipients: string[] };
}

export interface Sandbox {
  /** Routes relative to where it is mounted: `app.route('/sandbox', sandbox.app)` works. */
  app: Hono;
  state: SandboxView;
  configure(patch: SandboxPatch): void;
  /** Forgets everything stored and counted, and restores the options given at creation. */
  reset(): void;
}

const jsonAnswer = (code: number, message: string) =>
  new Response(JSON.stringify({ response: { status: { code, message } } }), {
    status: code,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A stand-in for iletiMerkezi's consent/create that follows the API document and the İYS rules,
 * with faults on demand. Nothing leaves the process.
 */
export function createSandbox(init: SandboxInit): Sandbox {
  const ledger = new SandboxLedger();
  let options = initialOptions(init);
  let random = seededRandom(options.faults.seed);
  let requestCount = 0;
  let counts: Record<string, number> = {};
  let log: RequestLogEntry[] = [];

  const record = (entry: RequestLogEntry) => {
    const key = entry.dropped ? 'dropped' : String(entry.code);
    counts[key] = (counts[key] ?? 0) + 1;
    log.push(entry);
    if (log.length > options.logSize) log = log.slice(log.length - options.logSize);
  };

  const usage = () => {
    const now = options.now();
    return { month: formatTurkeyTime(now).slice(0, 7), used: ledger.usedInMonth(now), quota: options.monthlyQuota };
  };

  const state: SandboxView = {
    records: () => ledger.records(),
    counts: () => ({ ...counts }),
    requests: () => log,
    usage,
    snapshot() {
      const { apiKey: _k, apiHash: _h, now: _n, refuseRecipients, ...rest } = options;
      return {
        records: [...ledger.records()],
        counts: { ...counts },
        requests: [...log],
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

  function reset(): void {
    ledger.reset();
    options = initialOptions(init);
    random = seededRandom(options.faults.seed);
    requestCount = 0;
    counts = {};
    log = [];
  }

  const app = new Hono();

  app.post(CONSENT_CREATE_PATH, async (c) => {
    const requestNo = ++requestCount;
    const text = await c.req.text();
    const bytes = Buffer.byteLength(text);
    const { faults } = options;
    // Three draws every time, so a seed replays the same faults whatever the rates are.
    const [failDraw, throttleDraw, dropDraw] = [random(), random(), random()];
    const nowMs = options.now();

    if (failDraw < faults.failureRate) {
      const code = failDraw < faults.failureRate / 2 ? 500 : 503;
      record({ requestNo, at: nowMs, bytes, records: null, code, message: 'fault: server error', reason: 'failureRate', dropped: false });
      await sleep(faults.delayMs);
      const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
      if (code === 503) headers['retry-after'] = String(faults.retryAfterS);
      return new Response(code === 500 ? 'Internal Server Error' : 'Service Unavailable', { status: code, headers });
    }
    if (throttleDraw < faults.throttleRate) {
      record({ requestNo, at: nowMs, bytes, records: null, code: 429, message: 'fault: throttled', reason: 'throttleRate', dropped: false });
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
    const j = ledger.handle(body, options, nowMs, requestNo);
    const dropped = dropDraw < faults.dropRate;
    record({ requestNo, at: nowMs, bytes, records: j.listSize, code: j.code, message: j.message, reason: j.reason, dropped });
    if (faults.delayMs > 0) await sleep(faults.delayMs);

    if (dropped) {
      const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
      if (!incoming) throw new Error('dropRate needs the sandbox served by @hono/node-server (no socket to drop)');
      incoming.socket.destroy();
      return RESPONSE_ALREADY_SENT;
    }
    return jsonAnswer(j.code, j.message);
  });

  app.get('/_sandbox/state', (c) => c.json(state.snapshot()));

  app.post('/_sandbox/controls', async (c) => {
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      return errorResponse(c, 400, 'invalid-json', 'the body must be a JSON object');
    }
    const parsed = sandboxPatchSchema.safeParse(json);
    if (!parsed.success) {
      const issues = toFieldIssues(parsed.error);
      return errorResponse(c, 400, 'invalid-controls', `invalid ${issues.map((i) => i.path).join(', ')}`, issues);
    }
    configure(parsed.data);
    return c.json(state.snapshot().controls);
  });

  app.post('/_sandbox/reset', (c) => {
    reset();
    return c.json({ ok: true });
  });

  return { app, state, configure, reset };
}
