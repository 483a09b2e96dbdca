import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../server/log/logger.ts';
import { testConfig } from '../../server/runtime/config.ts';
import { startCollector, type CollectorRuntime } from '../../server/runtime/collector.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';

const DEMO_ORIGIN = 'http://demo.example:8787';
const EVIL = 'https://evil.example';

/** The demo's controls (npm start) check Origin as the consent endpoint does: cross-site posts are refused. */
describe('the demo\'s control endpoints and Origin', () => {
  let rt: CollectorRuntime;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'iys-demo-origin-'));
    rt = await startCollector(testConfig({ port: 0, host: '127.0.0.1', databaseUrl: `file:${join(dir, 'ledger.db')}`, allowedOrigins: [DEMO_ORIGIN] }), { logger: silentLogger, demo: true });
  });
  afterAll(async () => {
    await rt?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown, origin?: string) =>
    fetch(`${rt.url}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain', ...(origin ? { origin } : {}) }, body: JSON.stringify(body) });
  const modeOf = async () => ((await (await fetch(`${rt.url}/demo/api/ledger`)).json()) as { sandbox: { mode: string } }).sandbox.mode;

  it('refuses a cross-site post to /demo/api/sandbox and to the sandbox controls, and changes nothing', async () => {
    const mode = await post('/demo/api/sandbox', { mode: 'refuse-next' }, EVIL);
    expect(mode.status).toBe(403);
    expect((await mode.json()).error.code).toBe('origin-not-allowed');
    expect(await modeOf()).toBe('normal');
    expect(await rt.store.countByState()).toMatchObject({ pending: 0 });

    expect((await post('/sandbox/_sandbox/controls', { apiAccess: false }, EVIL)).status).toBe(403);
    expect((await post('/sandbox/_sandbox/reset', {}, EVIL)).status).toBe(403);
    expect(rt.sandbox!.state.snapshot().controls.apiAccess).toBe(true);
  });

  it('takes them from the demo\'s own origin', async () => {
    const mode = await post('/demo/api/sandbox', { mode: 'transient' }, DEMO_ORIGIN);
    expect(mode.status).toBe(200);
    expect(mode.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
    expect(await modeOf()).toBe('transient');
    expect((await post('/sandbox/_sandbox/controls', { apiAccess: false }, DEMO_ORIGIN)).status).toBe(200);
    expect(rt.sandbox!.state.snapshot().controls.apiAccess).toBe(false);
    expect((await post('/sandbox/_sandbox/reset', {}, DEMO_ORIGIN)).status).toBe(200);
    expect(rt.sandbox!.state.snapshot().controls.apiAccess).toBe(true);
  });

  it('a citizen RET from the ledger view: refused cross-site; from the demo, made in the sandbox and shown as an observed record', async () => {
    await post('/sandbox/_sandbox/reset', {}, DEMO_ORIGIN);
    const phone = '+905551112233';
    const consent = await post('/v1/consents', { recipient: phone, channels: ['MESAJ'], consentDate: formatTurkeyTime(Date.now()) }, DEMO_ORIGIN);
    expect(consent.status).toBe(202);
    const [id] = ((await consent.json()) as { ids: string[] }).ids;
    const ledger = async () => ((await (await fetch(`${rt.url}/demo/api/ledger`)).json()) as { records: Array<Record<string, unknown>> }).records;
    await expect.poll(async () => (await ledger()).find((r) => r.id === id)?.canRet, { timeout: 20_000 }).toBe(true);

    expect((await post('/demo/api/citizen-ret', { id }, EVIL)).status).toBe(403);
    expect(rt.sandbox!.state.records().filter((r) => r.recipient === phone)).toHaveLength(1);
    expect((await post('/demo/api/citizen-ret', { id: 'nope' }, DEMO_ORIGIN)).status).toBe(404);

    const ret = await post('/demo/api/citizen-ret', { id }, DEMO_ORIGIN);
    expect(ret.status).toBe(201);
    expect(rt.sandbox!.state.records().filter((r) => r.recipient === phone).map((r) => [r.status, r.source, r.origin])).toEqual([
      ['ONAY', 'HS_WEB', 'api'], ['RET', 'IYS_3338', 'citizen'],
    ]);
    await expect.poll(async () => (await ledger()).find((r) => r.source === 'IYS_3338')?.iys, { timeout: 20_000 }).toBe("İYS'de görüldü, collector göndermedi (IYS_3338)");
    expect((await ledger()).find((r) => r.id === id)).toMatchObject({ iys: "İYS'de daha yeni bir kayıt var", canRet: false });
  });
});

describe('the citizen RET with read-back off (IYS_READBACK=0)', () => {
  it('answers 409 readback-off and makes nothing in the sandbox; the ledger view says read-back is off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iys-demo-noreadback-'));
    const rt = await startCollector(testConfig({ port: 0, host: '127.0.0.1', databaseUrl: `file:${join(dir, 'ledger.db')}`, allowedOrigins: [DEMO_ORIGIN], readback: null }), { logger: silentLogger, demo: true });
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${rt.url}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: DEMO_ORIGIN }, body: JSON.stringify(body) });
      const phone = '+905551112244';
      const consent = await post('/v1/consents', { recipient: phone, channels: ['MESAJ'], consentDate: formatTurkeyTime(Date.now()) });
      const [id] = ((await consent.json()) as { ids: string[] }).ids;
      const ledger = async () => (await (await fetch(`${rt.url}/demo/api/ledger`)).json()) as { readback: boolean; records: Array<Record<string, unknown>> };
      await expect.poll(async () => (await ledger()).records.find((r) => r.id === id)?.state, { timeout: 20_000 }).toBe('registered');
      expect((await ledger()).readback).toBe(false);
      const ret = await post('/demo/api/citizen-ret', { id });
      expect(ret.status).toBe(409);
      expect(((await ret.json()) as { error: { code: string } }).error.code).toBe('readback-off');
      expect(rt.sandbox!.state.records().filter((r) => r.recipient === phone).map((r) => r.status)).toEqual(['ONAY']);
    } finally {
      await rt.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
