import { describe, expect, it } from 'vitest';
import { HealthChecks } from '../../server/observability/health.ts';
import { storeWriteCheck } from '../../server/observability/ledger-probe.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

const fails = (why: string) => () => {
  throw new Error(why);
};

describe('/healthz is readiness', () => {
  it('is ok when every check passes', async () => {
    const health = new HealthChecks().addCheck('store', () => {}, 'readiness').addCheck('sending', () => {});
    expect(await health.run()).toEqual({ status: 'ok' });
  });

  it('is degraded, not unavailable, when only İYS-side checks fail', async () => {
    const health = new HealthChecks()
      .addCheck('store', () => {}, 'readiness')
      .addCheck('sending', fails('paused: 401'))
      .addCheck('deadline', fails('records near the İYS deadline'));
    expect(await health.run()).toEqual({ status: 'degraded', reasons: ['deadline: records near the İYS deadline', 'sending: paused: 401'] });
  });

  it('is unavailable when a readiness check fails, with every reason', async () => {
    const health = new HealthChecks().addCheck('store', fails('cannot write to the ledger'), 'readiness').addCheck('sending', fails('paused: 401'));
    expect(await health.run()).toEqual({ status: 'unavailable', reasons: ['sending: paused: 401', 'store: cannot write to the ledger'] });
  });
});

describe('the store check: a write probe', () => {
  it('fails with generic words when the ledger cannot commit, the driver\'s error in the log only', async () => {
    const { logger, lines } = captureLogger();
    const check = storeWriteCheck({ probeWrite: async () => Promise.reject(new Error('SQLITE_FULL: database or disk is full at /srv/x')) }, logger);
    await expect(check()).rejects.toThrow(/^cannot write to the ledger$/);
    expect(lines.find((l) => l.event === 'health.store-failed')?.err).toMatch(/SQLITE_FULL/);
  });

  it('runs one probe for many /healthz at once, and reuses its answer for a second', async () => {
    let clock = 1_000_000;
    let probes = 0;
    let finish: () => void = () => {};
    const store = { probeWrite: () => new Promise<void>((resolve) => { probes++; finish = resolve; }) };
    const check = storeWriteCheck(store, captureLogger().logger, () => clock);
    const all = Promise.all(Array.from({ length: 20 }, () => check()));
    finish();
    await all;
    expect(probes).toBe(1);
    clock += 999;
    await check();
    expect(probes).toBe(1);
    clock += 1;
    const next = check();
    finish();
    await next;
    expect(probes).toBe(2);
  });
});
