import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../server/log/logger.ts';
import { testConfig } from '../../server/runtime/config.ts';
import { startCollector, type CollectorRuntime } from '../../server/runtime/collector.ts';
import { DEADLINE_MS, formatTurkeyTime } from '../../shared/turkey-time.ts';
import { postConsent } from './collector-harness.ts';
import { waitFor } from './dispatch-harness.ts';

const ADMIN_TOKEN = 'sendability-admin-token-0123456789';
const MIN = 60_000;

/**
 * "A 202 is a promise" (docs/contract.md), on the whole collector (HTTP, SQLite ledger, dispatcher,
 * sandbox): what intake acknowledges the dispatcher registers; what it could not send in time, or
 * iletiMerkezi would refuse by its date, is refused up front, naming the record.
 */
describe('one sendability rule for intake and the dispatcher', () => {
  let rt: CollectorRuntime;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'iys-sendability-'));
    const config = testConfig({ port: 0, host: '127.0.0.1', databaseUrl: `file:${join(dir, 'ledger.db')}`, admin: { token: ADMIN_TOKEN }, flushMs: 50, rateLimit: 0 });
    rt = await startCollector(config, { logger: silentLogger });
  });
  afterAll(async () => {
    await rt?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const batch = (records: unknown[]) =>
    fetch(`${rt.url}/v1/consents/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ records }),
    });
  const record = (recipient: string, agoMs: number, source = 'HS_CAGRI_MERKEZI') => ({ recipient, type: 'ARAMA', source, consentDate: formatTurkeyTime(Date.now() - agoMs) });
  const stateOf = async (recipient: string) => (await rt.store.byRecipient(recipient)).map((r) => r.state);

  it('refuses an HS_2015 record and records 60 s and 4 min from their deadline with 422 naming each, and stores none', async () => {
    const res = await batch([
      { recipient: '0532 400 00 01', type: 'MESAJ', source: 'HS_2015', consentDate: '2015-05-01 00:00:00' },
      record('0532 400 00 02', DEADLINE_MS - MIN),
      record('0532 400 00 03', DEADLINE_MS - 4 * MIN),
      record('0532 400 00 04', 3600_000),
    ]);
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { code: string; issues: { path: string; message: string }[] } };
    expect(error.code).toBe('invalid-records');
    expect(error.issues.map((i) => i.path)).toEqual(['records.0.consentDate', 'records.1.consentDate', 'records.2.consentDate']);
    expect(error.issues[0]!.message).toMatch(/HS_2015 .* cannot be registered through iletiMerkezi/);
    expect(error.issues[1]!.message).toMatch(/too close to its 72-hour İYS deadline/);
    expect(error.issues[2]!.message).toMatch(/too close to its 72-hour İYS deadline/);
    expect(await rt.store.countByState()).toEqual({ pending: 0, registered: 0, rejected: 0, expired: 0 });
  });

  it('registers what it acknowledged: a batch record 10 min from its deadline and a web consent resent 71 h 58 min late', async () => {
    const near = record('0532 400 00 05', DEADLINE_MS - 10 * MIN);
    expect((await batch([near])).status).toBe(202);

    const clientDate = formatTurkeyTime(Date.now() - DEADLINE_MS + 2 * MIN);
    const web = await postConsent(rt.url, { recipient: '0532 400 00 06', channels: ['MESAJ'], consentDate: clientDate, sentAt: formatTurkeyTime(Date.now()) });
    expect(web.status).toBe(202);
    // Too late to send as dated: the receive time is recorded, the client's date kept as evidence.
    const [stored] = await rt.store.byRecipient('+905324000006');
    expect(stored!.evidence.clientConsentDate).toBe(clientDate);
    expect(Date.now() - stored!.deadlineAt + DEADLINE_MS).toBeLessThan(MIN);

    await waitFor('both registered', async () => (await rt.store.countByState()).pending === 0, 20_000);
    expect(await stateOf('+905324000005')).toEqual(['registered']);
    expect(await stateOf('+905324000006')).toEqual(['registered']);
    expect((await rt.store.countByState()).expired).toBe(0);
  });
});
