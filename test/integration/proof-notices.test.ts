import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { testConfig, type Config } from '../../server/runtime/config.ts';
import { startCollector, type CollectorRuntime } from '../../server/runtime/collector.ts';
import { silentLogger } from '../../server/log/logger.ts';
import { consentBody, postConsent } from './collector-harness.ts';
import { waitFor } from './dispatch-harness.ts';
import { PG_URL, pgAvailable, testSchema } from '../helpers/pg.ts';

/**
 * The notice registry against the real collector runtime (HTTP, ledger, the built-in sandbox and the
 * dispatcher), on SQLite and on PostgreSQL: texts registered once, consents matched by the hash the
 * widget computes, the policy's two answers, the lookup and the export naming the match.
 */

const ADMIN = 'proof-test-admin-token-0123456789';
const auth = { authorization: `Bearer ${ADMIN}` };
const SITE = 'https://shop.example';
// Registered with line breaks and indentation; the widget hashes what it shows with whitespace collapsed.
const TEXT = `Örnek Mağaza tarafından tarafıma
    SMS yoluyla ticari elektronik ileti gönderilmesine onay veriyorum.`;
/** What widget/notice.ts computes in the browser: SHA-256 of the flattened text, UTF-8. */
const widgetHash = (text: string) => 'sha256:' + createHash('sha256').update(text.replace(/\s+/g, ' ').trim()).digest('hex');

const tmp = mkdtempSync(join(tmpdir(), 'iys-proof-notices-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Ledger = { name: string; available: boolean; config(n: number): Partial<Config>; storeOptions(): { schema?: string } };
const ledgers: Ledger[] = [
  { name: 'SQLite', available: true, config: (n) => ({ databaseUrl: `file:${join(tmp, `ledger-${n}.db`)}` }), storeOptions: () => ({}) },
  { name: 'PostgreSQL', available: pgAvailable, config: () => ({ databaseUrl: PG_URL }), storeOptions: () => ({}) },
];

let fileNo = 0;
describe.each(ledgers)('the notice registry on $name', (ledger) => {
  const runtimes: CollectorRuntime[] = [];
  afterEach(async () => {
    for (const rt of runtimes.splice(0)) await rt.stop();
  });
  /** A collector; `shared` gives a second one on the same ledger (same SQLite file, same PostgreSQL schema). */
  async function start(over: Partial<Config> = {}, shared?: { n: number; schema?: string }): Promise<CollectorRuntime & { n: number; schema?: string }> {
    const n = shared?.n ?? ++fileNo;
    const schema = shared ? shared.schema : ledger.name === 'PostgreSQL' ? testSchema() : undefined;
    const config = testConfig({
      port: 0, host: '127.0.0.1', admin: { token: ADMIN }, flushMs: 50, rateLimit: 0, allowedOrigins: [SITE], ...ledger.config(n), ...over,
    });
    const rt = await startCollector(config, { logger: silentLogger, storeOptions: schema ? { schema } : {} });
    runtimes.push(rt);
    return Object.assign(rt, { n, schema });
  }
  const register = (rt: CollectorRuntime, body: unknown) =>
    fetch(`${rt.url}/v1/admin/notices`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const lookup = async (rt: CollectorRuntime, recipient: string) => {
    const res = await fetch(`${rt.url}/v1/consents?recipient=${encodeURIComponent(recipient)}`, { headers: auth });
    expect(res.status).toBe(200);
    return ((await res.json()) as { records: Array<{ state: string; evidence: Record<string, unknown> }> }).records;
  };
  const exported = async (rt: CollectorRuntime) =>
    (await (await fetch(`${rt.url}/v1/export?format=ndjson`, { headers: auth })).text()).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

  it.runIf(ledger.available)('registers a text once: its hash is the widget\'s, the same text again is a repeat, another text a 409; the full text by version, public and admin', async () => {
    const rt = await start();
    const first = await register(rt, { version: 'v1', lang: 'tr', text: TEXT });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ version: 'v1', lang: 'tr', text: TEXT, hash: widgetHash(TEXT) });
    expect((await register(rt, { version: 'v1', lang: 'tr', text: TEXT })).status).toBe(200);
    // Other whitespace is the same text: the hash covers the collapsed words, and so does the comparison.
    const respaced = await register(rt, { version: 'v1', lang: 'tr', text: `  ${TEXT.replace(/\s+/g, '\n\t ')}\n` });
    expect(respaced.status).toBe(200);
    expect(await respaced.json()).toMatchObject({ text: TEXT, hash: widgetHash(TEXT) });
    const changed = await register(rt, { version: 'v1', lang: 'tr', text: TEXT + ' Ve daha fazlası.' });
    expect(changed.status).toBe(409);
    expect(((await changed.json()) as { error: { code: string } }).error.code).toBe('notice-immutable');
    expect((await register(rt, { version: 'v1', lang: 'en', text: 'I agree to SMS from Örnek Mağaza.' })).status).toBe(201);
    expect((await register(rt, { version: 'v2', lang: 'fr', text: 'x' })).status).toBe(422);
    expect((await register(rt, { version: 'v2', lang: 'tr', text: ' \n ' })).status).toBe(422);

    const full = await fetch(`${rt.url}/v1/admin/notices/v1`, { headers: auth });
    expect(full.status).toBe(200);
    const body = (await full.json()) as { notices: Array<{ lang: string; text: string }> };
    expect(body.notices.map((n) => [n.lang, n.text])).toEqual([['en', 'I agree to SMS from Örnek Mağaza.'], ['tr', TEXT]]);
    expect((await fetch(`${rt.url}/v1/admin/notices/v1`)).status).toBe(401);
    expect((await fetch(`${rt.url}/v1/admin/notices/nope`, { headers: auth })).status).toBe(404);

    const pub = await fetch(`${rt.url}/v1/notices/v1?lang=tr`, { headers: { origin: SITE } });
    expect(pub.status).toBe(200);
    expect(pub.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(await pub.json()).toEqual({ version: 'v1', lang: 'tr', text: TEXT, hash: widgetHash(TEXT) });
    expect((await fetch(`${rt.url}/v1/notices/v1?lang=tr`, { headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await fetch(`${rt.url}/v1/notices/v9`)).status).toBe(404);
  });

  it.runIf(ledger.available)('policy record: a matching hash records the version, a mismatch is stored as unmatched; lookup and export say which; both are registered with the sandbox', async () => {
    const rt = await start();
    expect((await register(rt, { version: 'v1', lang: 'tr', text: TEXT })).status).toBe(201);
    // A collector sharing the ledger matches with what the first registered.
    const other = await start({}, rt);
    const ok = await postConsent(other.url, consentBody({ recipient: '0532 100 00 01', channels: ['MESAJ'], notice: { version: 'v1', hash: widgetHash(TEXT), lang: 'tr' } }), { origin: SITE });
    expect(ok.status).toBe(202);
    const drift = await postConsent(rt.url, consentBody({ recipient: '0532 100 00 02', channels: ['MESAJ'], notice: { version: 'v1', hash: widgetHash(`${TEXT} (changed on the site)`), lang: 'tr' } }), { origin: SITE });
    expect(drift.status).toBe(202);
    const none = await postConsent(rt.url, consentBody({ recipient: '0532 100 00 03', channels: ['MESAJ'] }));
    expect(none.status).toBe(202);

    await waitFor('all three registered', async () => (await Promise.all(['0532 100 00 01', '0532 100 00 02', '0532 100 00 03'].map((r) => lookup(rt, r))))
      .every((records) => records.length === 1 && records[0]!.state === 'registered'), 20_000);
    expect((await lookup(rt, '0532 100 00 01'))[0]!.evidence).toMatchObject({ noticeVersion: 'v1', noticeMatch: 'matched', noticeRegistered: 'v1' });
    expect((await lookup(rt, '0532 100 00 02'))[0]!.evidence).toMatchObject({ noticeVersion: 'v1', noticeMatch: 'unmatched', noticeRegistered: null });
    expect((await lookup(rt, '0532 100 00 03'))[0]!.evidence).toMatchObject({ noticeVersion: null, noticeMatch: 'no-notice', noticeRegistered: null });
    const lines = await exported(rt);
    expect(lines.map((l) => [l.piiPrincipalId, l.noticeMatch, l.noticeRegistered])).toEqual([
      ['+905321000001', 'matched', 'v1'], ['+905321000002', 'unmatched', null], ['+905321000003', 'no-notice', null],
    ]);
  });

  it.runIf(ledger.available)('a version registered later with the words of an earlier one is what a consent posting it matched, though the earlier one was matched first', async () => {
    const rt = await start();
    expect((await register(rt, { version: 'v1', lang: 'tr', text: TEXT })).status).toBe(201);
    const early = await postConsent(rt.url, consentBody({ recipient: '0532 100 00 06', channels: ['MESAJ'], notice: { version: 'v1', hash: widgetHash(TEXT), lang: 'tr' } }), { origin: SITE });
    expect(early.status).toBe(202);
    expect((await register(rt, { version: 'v2', lang: 'tr', text: TEXT })).status).toBe(201);
    const later = await postConsent(rt.url, consentBody({ recipient: '0532 100 00 07', channels: ['MESAJ'], notice: { version: 'v2', hash: widgetHash(TEXT), lang: 'tr' } }), { origin: SITE });
    expect(later.status).toBe(202);
    expect((await lookup(rt, '0532 100 00 06'))[0]!.evidence).toMatchObject({ noticeMatch: 'matched', noticeRegistered: 'v1' });
    expect((await lookup(rt, '0532 100 00 07'))[0]!.evidence).toMatchObject({ noticeMatch: 'matched', noticeRegistered: 'v2' });
  });

  it.runIf(ledger.available)('a notice version without its hash is refused under either policy (422 naming notice.hash): no consent without the text it was given to', async () => {
    const rt = await start();
    const res = await postConsent(rt.url, consentBody({ recipient: '0532 100 00 09', notice: { version: 'v-unregistered', lang: 'tr' } }), { origin: SITE });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string; issues: Array<{ path: string }> } }).error).toMatchObject({ code: 'invalid-consent', issues: [{ path: 'notice.hash' }] });
    expect(await lookup(rt, '0532 100 00 09')).toEqual([]);
  });

  it.runIf(ledger.available)('policy require: 422 unknown-notice naming the version for an unregistered text or none, nothing stored; a registered text goes through', async () => {
    const rt = await start({ noticePolicy: 'require' });
    expect((await register(rt, { version: 'v1', lang: 'tr', text: TEXT })).status).toBe(201);
    const refused = await postConsent(rt.url, consentBody({ recipient: '0532 100 00 04', notice: { version: 'v7', hash: widgetHash('another text'), lang: 'tr' } }), { origin: SITE });
    expect(refused.status).toBe(422);
    const error = ((await refused.json()) as { error: { code: string; message: string; issues: Array<{ path: string }> } }).error;
    expect(error.code).toBe('unknown-notice');
    expect(error.message).toContain('"v7"');
    expect(error.issues.map((i) => i.path)).toEqual(['notice.hash']);
    expect(refused.headers.get('access-control-allow-origin')).toBe(SITE);
    const bare = await postConsent(rt.url, consentBody({ recipient: '0532 100 00 04' }));
    expect(bare.status).toBe(422);
    expect(((await bare.json()) as { error: { issues: Array<{ path: string }> } }).error.issues.map((i) => i.path)).toEqual(['notice']);
    expect(await lookup(rt, '0532 100 00 04')).toEqual([]);

    // The text registered under v1, posted as another version: still a registered text, and v1 is what it matched.
    const ok = await postConsent(rt.url, consentBody({ recipient: '0532 100 00 05', channels: ['MESAJ', 'ARAMA'], notice: { version: 'v1', hash: widgetHash(TEXT), lang: 'tr' } }), { origin: SITE });
    expect(ok.status).toBe(202);
    const records = await lookup(rt, '0532 100 00 05');
    expect(records.map((r) => r.evidence.noticeRegistered)).toEqual(['v1', 'v1']);
  });
});
