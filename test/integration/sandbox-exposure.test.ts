import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type CollectorRuntime } from '../../server/runtime/collector.ts';
import { testConfig } from '../../server/runtime/config.ts';
import { silentLogger } from '../../server/log/logger.ts';

describe('the built-in sandbox on the collector port', () => {
  let runtime: CollectorRuntime | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await runtime?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    runtime = dir = undefined;
  });

  async function start(demo: boolean) {
    dir = mkdtempSync(join(tmpdir(), 'iys-sandbox-exposure-'));
    runtime = await startCollector(testConfig({ port: 0, databaseUrl: `file:${join(dir, 'ledger.db')}` }), { logger: silentLogger, demo });
    return runtime.url;
  }

  it('npm run collector with IYS_SANDBOX=1 serves the API but not the view with full numbers, nor the controls', async () => {
    const url = await start(false);
    expect((await fetch(`${url}/sandbox/_sandbox/state`)).status).toBe(404);
    const controls = await fetch(`${url}/sandbox/_sandbox/controls`, { method: 'POST', body: '{"apiAccess":false}', headers: { 'content-type': 'application/json' } });
    expect(controls.status).toBe(404);
    expect(runtime!.sandbox!.state.snapshot().controls.apiAccess).toBe(true);
    const change = await fetch(`${url}/sandbox/_sandbox/changes`, {
      method: 'POST',
      body: '{"origin":"citizen","recipient":"+905321234567","type":"MESAJ","status":"RET","source":"IYS_3338"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(change.status).toBe(404);
    const show = await fetch(`${url}/sandbox/v1/consent/show/json`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect((await show.json()).response.status.code).toBe(401);
    const api = await fetch(`${url}/sandbox/v1/consent/create/json`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect((await api.json()).response.status.code).toBe(401);
  });

  it('the demo serves the view, for its ledger page and its end-to-end test', async () => {
    const url = await start(true);
    const res = await fetch(`${url}/sandbox/_sandbox/state`);
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('records');
    const missing = await fetch(`${url}/demo/no-such-page.html`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not-found');
  });
});
