import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testConfig } from '../../server/runtime/config.ts';
import { startCollector, type CollectorRuntime } from '../../server/runtime/collector.ts';
import { silentLogger } from '../../server/log/logger.ts';
import { consentBody, postConsent } from './collector-harness.ts';
import { newRecord, waitFor } from './dispatch-harness.ts';

const ADMIN_TOKEN = 'runtime-test-admin-token-0123456789';

/** The value of one sample line of the Prometheus text, e.g. `iys_x_total{outcome="accepted"}`. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('the collector runtime (startCollector): HTTP, ledger, sandbox, dispatcher and metrics wired together', () => {
  let runtime: CollectorRuntime | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<CollectorRuntime> {
    dir = mkdtempSync(join(tmpdir(), 'iys-runtime-'));
    const config = testConfig({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: `file:${join(dir, 'ledger.db')}`,
      admin: { token: ADMIN_TOKEN },
      flushMs: 50,
      rateLimit: 0,
    });
    runtime = await startCollector(config, { logger: silentLogger });
    return runtime;
  }

  const get = (rt: CollectorRuntime, path: string, auth = false) =>
    fetch(`${rt.url}${path}`, { headers: auth ? { authorization: `Bearer ${ADMIN_TOKEN}` } : {} });
  const metrics = async (rt: CollectorRuntime) => (await get(rt, '/metrics')).text();
  const statesOf = async (rt: CollectorRuntime, recipient: string): Promise<string[]> => {
    const res = await get(rt, `/v1/consents?recipient=${encodeURIComponent(recipient)}`, true);
    expect(res.status).toBe(200);
    return ((await res.json()) as { records: Array<{ state: string }> }).records.map((r) => r.state);
  };

  it('registers a posted consent, shows it in /metrics, pauses on 401 with /healthz saying so (still 200: collecting goes on), and resumes', async () => {
    const rt = await start();
    expect(rt.sandbox).not.toBeNull();

    const first = await postConsent(rt.url, consentBody({ recipient: '0532 111 22 33', channels: ['MESAJ'] }));
    expect(first.status).toBeLessThan(300);
    await waitFor('first consent registered', async () => (await statesOf(rt, '0532 111 22 33')).join() === 'registered', 20_000);
    const text = await metrics(rt);
    expect(sample(text, 'iys_iletimerkezi_requests_total{outcome="accepted"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'iys_records{state="registered"}')).toBe(1);
    expect((await get(rt, '/healthz')).status).toBe(200);

    rt.sandbox!.configure({ apiAccess: false });
    const second = await postConsent(rt.url, consentBody({ recipient: '0532 111 22 44', channels: ['MESAJ'] }));
    expect(second.status).toBeLessThan(300);
    await waitFor('paused on 401', () => rt.dispatcher.status().paused?.code === 401, 20_000);
    const health = await get(rt, '/healthz');
    expect(health.status).toBe(200);
    const report = (await health.json()) as { status: string; reasons: string[] };
    expect(report.status).toBe('degraded');
    expect(report.reasons.join(' ')).toMatch(/^sending: .*401/);
    const paused = await metrics(rt);
    expect(sample(paused, 'iys_sending_paused{reason="401"}')).toBe(1);
    expect(sample(paused, 'iys_iletimerkezi_requests_total{outcome="account"}')).toBeGreaterThanOrEqual(1);
    expect(await statesOf(rt, '0532 111 22 44')).toEqual(['pending']);

    // A batch record whose consentDate is 60 h old: the age gauge counts from consentDate, not receipt.
    await rt.store.insert([newRecord({ now: Date.now(), recipient: '+905321112255', agoMs: 60 * 3600_000 })]);
    const aged = sample(await metrics(rt), 'iys_oldest_pending_age_seconds');
    expect(aged).toBeGreaterThanOrEqual(60 * 3600);
    expect(aged).toBeLessThan(60 * 3600 + 120);

    rt.sandbox!.configure({ apiAccess: true });
    await waitFor('resumed and registered', async () => (await rt.store.countByState()).pending === 0, 30_000);
    expect(rt.dispatcher.status().paused).toBeNull();
    expect(await statesOf(rt, '0532 111 22 44')).toEqual(['registered']);
    expect((await get(rt, '/healthz')).status).toBe(200);
    const resumed = await metrics(rt);
    expect(sample(resumed, 'iys_sending_paused{reason=""}')).toBe(0);
    expect(sample(resumed, 'iys_oldest_pending_age_seconds')).toBe(0);

    await rt.stop();
    runtime = undefined;
    // Stopped: the port no longer answers.
    await expect(fetch(`${rt.url}/healthz`)).rejects.toThrow();
  }, 90_000);
});
