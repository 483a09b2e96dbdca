import { readFileSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { maskRecipient } from '../../shared/recipient.ts';
import { PASS_HEADROOM_MS } from '../../shared/sendability.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { errorResponse } from '../http/errors.ts';
import type { HealthChecks } from '../observability/health.ts';
import { ingestConsent } from '../intake/web-consent.ts';
import type { Sandbox } from '../sandbox/index.ts';
import type { ConsentStore, StoredRecord } from '../stores/store.ts';
import { explainRefusals, noteOf } from './ledger-notes.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};
// The demo pages load nothing inline: the same policy a strict real site would send.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'";

/** The planted number the sandbox refuses in the "refuse" mode: one bad record among good ones. */
export const DEMO_BAD_RECIPIENT = '+905320000000';

export const demoModeSchema = z.object({ mode: z.enum(['normal', 'refuse-next', 'transient', 'quota', 'drop']) });
export type DemoMode = z.infer<typeof demoModeSchema>['mode'];

export type DemoDeps = {
  store: ConsentStore;
  sandbox: Sandbox;
  health: HealthChecks;
  /** The folder of the demo's pages (the package's `demo/`). */
  pagesDir: string;
  now?: () => number;
  /** Read-back's verification on demand, to show a citizen's change at once; null while read-back is off. */
  verify?: () => ((recipient: string) => Promise<unknown>) | null;
};

export const citizenRetSchema = z.object({ id: z.string().min(1).max(100) });

/** What read-back found of a record, in the words of the ledger view's İYS column. */
function iysNote(r: StoredRecord): string {
  if (r.observedBy) return `İYS'de görüldü, collector göndermedi (${r.source})`;
  if (r.state !== 'registered') return '';
  if (r.checkState === 'confirmed') return `İYS'de doğrulandı ${formatTurkeyTime(r.confirmedAt!).slice(11)}`;
  if (r.checkState === 'superseded') return "İYS'de daha yeni bir kayıt var";
  if (r.checkState === 'unseen') return "İYS'de görünmüyor: yeniden gönderildi";
  return 'İYS kontrolü bekliyor';
}

/** The demo's pages (`/`, `/demo/*`) and its small JSON API: the ledger view and the misbehave switch. */
export function demoRoutes(deps: DemoDeps): Hono {
  const now = deps.now ?? Date.now;
  let mode: DemoMode = 'normal';
  const routes = new Hono();

  const pagesDir = resolve(deps.pagesDir);
  const page = (name: string) => {
    const path = resolve(pagesDir, name);
    if (!path.startsWith(pagesDir + sep) || !TYPES[extname(path)]) return undefined;
    try {
      return { body: readFileSync(path), type: TYPES[extname(path)]! };
    } catch {
      return undefined;
    }
  };
  const serve = (c: Context, name: string) => {
    const file = page(name);
    if (!file) return errorResponse(c, 404, 'not-found', `the demo has no page ${name}`);
    return new Response(new Uint8Array(file.body), {
      headers: { 'Content-Type': file.type, 'Content-Security-Policy': CSP, 'Cache-Control': 'no-cache' },
    });
  };

  routes.get('/', (c) => serve(c, 'index.html'));
  routes.get('/demo/api/ledger', async (c) => {
    const t = now();
    const records = [];
    for await (const r of deps.store.exportRange(t - 4 * 24 * 3600_000, t + 60_000)) records.push(r);
    const recent = records.slice(-100).reverse();
    const why = explainRefusals(records);
    for (const r of records) if (r.recipient === DEMO_BAD_RECIPIENT && r.state === 'rejected') why.set(r.id, 'demo: sandbox bu uydurma numarayı reddediyor');
    const health = await deps.health.run();
    c.header('Cache-Control', 'no-store');
    return c.json({
      records: recent.map((r) => ({
        id: r.id,
        recipient: maskRecipient(r.recipient),
        type: r.type,
        status: r.status,
        source: r.source,
        consentDate: r.consentDate,
        state: r.state,
        note: noteOf(r.reason, r.doubt, why.get(r.id)),
        requests: r.attempts,
        iys: iysNote(r),
        // A citizen may withdraw through İYS (the RET short message) only what İYS holds as ONAY.
        canRet: r.state === 'registered' && r.status === 'ONAY' && r.checkState !== 'superseded',
      })),
      sandbox: {
        mode,
        counts: deps.sandbox.state.counts(),
        requests: deps.sandbox.state.requests().slice(-20).reverse().map((q) => ({
          at: formatTurkeyTime(q.at), size: q.records, code: q.dropped ? null : q.code, message: q.dropped ? 'bağlantı koptu (kaydedildi, cevap yok)' : q.message,
        })),
      },
      health: health.status === 'ok' ? 'ok' : `${health.status}: ${health.reasons.join('; ')}`,
      // The citizen's RET button needs read-back (IYS_READBACK) to ever show its result.
      readback: !!deps.verify?.(),
    });
  });
  routes.post('/demo/api/sandbox', async (c) => {
    const parsed = demoModeSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return errorResponse(c, 422, 'invalid-mode', 'mode must be normal, refuse-next, transient, quota or drop');
    mode = parsed.data.mode;
    const calm = { faults: { failureRate: 0, dropRate: 0, throttleRate: 0 }, refuseRecipients: [] as string[], monthlyQuota: null };
    deps.sandbox.configure(calm);
    if (mode === 'transient') deps.sandbox.configure({ faults: { failureRate: 0.5 } });
    if (mode === 'drop') deps.sandbox.configure({ faults: { dropRate: 0.5 } });
    if (mode === 'quota') deps.sandbox.configure({ monthlyQuota: deps.sandbox.state.usage().used });
    if (mode === 'refuse-next') {
      deps.sandbox.configure({ refuseRecipients: [DEMO_BAD_RECIPIENT] });
      await deps.store.insert(demoBurst(now()));
    }
    return c.json({ mode });
  });
  // A visitor plays the citizen: RET to 3338 for a registered ONAY, made in the sandbox (İYS's side),
  // never told to the collector; read-back finds it (verified at once here, or by the sweep).
  routes.post('/demo/api/citizen-ret', async (c) => {
    const parsed = citizenRetSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return errorResponse(c, 422, 'invalid-body', 'id must be the id of a record in the ledger', [{ path: 'id', message: 'required' }]);
    const [record] = await deps.store.byIds([parsed.data.id]);
    if (!record) return errorResponse(c, 404, 'not-found', `no record ${parsed.data.id}`);
    // Without read-back nothing would ever show the citizen's RET: refuse rather than answer ok for nothing.
    const verify = deps.verify?.();
    if (!verify) return errorResponse(c, 409, 'readback-off', "a citizen's RET is seen only by reading İYS back, which is switched off (IYS_READBACK=0)");
    const change = deps.sandbox.changeElsewhere({
      origin: 'citizen', source: 'IYS_3338', recipient: record.recipient, recipientType: record.recipientType, type: record.type, status: 'RET',
    });
    if (!change.ok) return errorResponse(c, 409, 'change-refused', `İYS would refuse this RET: ${change.reason}`);
    // Not awaited: the ledger view shows the observed RET on a later refresh, as an operator would see it.
    void verify(record.recipient).catch(() => undefined);
    return c.json({ ok: true, consentDate: change.record.consentDate }, 201);
  });
  // The demo's "phone": what the sandbox's send-sms took, so the visitor reads the code (demo/verify.html).
  routes.get('/demo/api/sms', (c) => {
    c.header('Cache-Control', 'no-store');
    const messages = deps.sandbox.sms.messages().slice(-5).reverse();
    return c.json({ messages: messages.map((m) => ({ at: formatTurkeyTime(m.at), sender: m.sender, to: maskRecipient(`+${m.number}`), text: m.text })) });
  });
  routes.get('/demo/:file', (c) => serve(c, c.req.param('file')));
  return routes;
}

/** Nine good consents and the planted bad one, as if ten people signed up at once. */
function demoBurst(at: number) {
  const consentDate = formatTurkeyTime(at);
  const meta = { receivedAt: at, origin: 'demo', ip: null, userAgent: 'iys-consent demo' };
  const stamp = String(at % 1_000_000).padStart(6, '0');
  const phones = [
    ...Array.from({ length: 9 }, (_, i) => `0533 ${stamp.slice(0, 3)} ${stamp.slice(3, 5)} ${String(i).padStart(2, '0')}`),
    DEMO_BAD_RECIPIENT,
  ];
  return phones.flatMap((recipient) => {
    const result = ingestConsent({ recipient, channels: ['MESAJ'], consentDate }, meta, { clockToleranceS: 600, headroomMs: PASS_HEADROOM_MS });
    return result.kind === 'records' ? result.records : [];
  });
}
