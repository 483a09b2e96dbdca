import { afterEach, describe, expect, it } from 'vitest';
import type { MiddlewareHandler } from 'hono';
import { consentsRoutes, toRecordView } from '../../server/admin/consents-routes.ts';
import { exportRoutes } from '../../server/admin/export-routes.ts';
import { silentLogger } from '../../server/log/logger.ts';
import { csvHeader, csvLine, toReceipt } from '../../server/admin/export-format.ts';
import type { ConsentSender } from '../../server/iletimerkezi/outcome.ts';
import { HealthChecks } from '../../server/observability/health.ts';
import { createMetrics } from '../../server/observability/metrics.ts';
import { addOperatorHealthChecks } from '../../server/observability/operator-health.ts';
import { readbackMetrics } from '../../server/observability/readback-metrics.ts';
import { openStore } from '../../server/stores/open-store.ts';
import type { ConsentStore } from '../../server/stores/store.ts';
import type { RecipientRecords } from '../../shared/admin-api.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { PG_URL, pgAvailable, testSchema } from '../helpers/pg.ts';
import { newPhone, newRecord, settled, startRig, storedTwice, waitFor, type Rig } from './dispatch-harness.ts';

/**
 * Read-back (server/readback) against the sandbox over HTTP: lost answers settled by reading İYS,
 * refusals explained with İYS's record, every registration confirmed, records İYS does not show
 * flagged and sent again. Each on SQLite and on PostgreSQL.
 */

const rigs: Rig[] = [];
async function rig(opts: Parameters<typeof startRig>[0] = {}) {
  const r = await startRig(opts);
  rigs.push(r);
  return r;
}
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});

/** A sender whose first request gets the sandbox's dropped answer (after it judged and stored it); the rest are answered. */
function dropFirst(ref: () => Rig): (s: ConsentSender) => ConsentSender {
  let first = true;
  return (s) => ({
    send: async (records) => {
      if (first) ref().sandbox.configure({ faults: { dropRate: 1 } });
      try {
        return await s.send(records);
      } finally {
        if (first) ref().sandbox.configure({ faults: { dropRate: 0 } });
        first = false;
      }
    },
    close: () => s.close(),
  });
}

async function insertMany(r: Rig, n: number, recipients: string[] = []) {
  const now = Date.now();
  const records = Array.from({ length: n }, (_, i) => newRecord({ now, recipient: recipients[i] }));
  const ids: string[] = [];
  for (let i = 0; i < records.length; i += 1000) ids.push(...(await r.store.insert(records.slice(i, i + 1000))).ids);
  return { records, ids };
}

const NO_CONFIRMATION = { confirmDelayMs: 3_600_000 };
/** The admin routes' token is their own test's business: here every request is let through. */
const letThrough: MiddlewareHandler = async (_c, next) => next();

const LEDGERS: Array<[string, (() => ConsentStore) | undefined]> = [
  ['SQLite', undefined],
  ...(pgAvailable ? [['PostgreSQL', () => openStore(PG_URL, { schema: testSchema() })] as [string, () => ConsentStore]] : []),
];

describe.each(LEDGERS)('read-back against the sandbox over HTTP (%s ledger)', (_name, ledger) => {
  it('a 100-record request stored by İYS whose answer was lost: registered after one look-up, never sent again', async () => {
    let ref: Rig | undefined;
    const r = await rig({ openStore: ledger, readback: NO_CONFIRMATION, dispatcher: { batchMax: 100 }, wrapSender: dropFirst(() => ref!) });
    ref = r;
    const { ids } = await insertMany(r, 100);
    r.dispatcher.start();
    expect(await settled(r.store)).toMatchObject({ registered: 100, rejected: 0 });
    expect(r.sandbox.state.counts()).toEqual({ dropped: 1 });
    expect(r.requests()).toBe(1);
    expect(r.lookups()).toBeLessThanOrEqual(2);
    expect(r.lookups()).toBe(1);
    expect(r.sandbox.state.records()).toHaveLength(100);
    const lines = await r.store.attemptsOf(ids[42]!);
    expect(lines.map((l) => l.outcome)).toEqual(['sending', 'ambiguous', 'resolved']);
    expect(lines[2]!.message).toMatch(/^read back from İYS \(1 look-up\): it holds ONAY .* so the request was stored as a whole$/);
    expect(r.readbackEvents).toContainEqual({ type: 'doubt-resolved', method: 'read-back', stored: true, lookups: 1, records: 100 });
  });

  it('a lost request İYS did not store (a bad record in it): read back, sent again, the bad record rejected', async () => {
    let ref: Rig | undefined;
    const r = await rig({ openStore: ledger, readback: NO_CONFIRMATION, dispatcher: { batchMax: 50 }, wrapSender: dropFirst(() => ref!) });
    ref = r;
    const { records, ids } = await insertMany(r, 50);
    const bad = records[31]!.record.recipient;
    r.sandbox.configure({ refuseRecipients: [bad] });
    r.dispatcher.start();
    expect(await settled(r.store)).toMatchObject({ registered: 49, rejected: 1 });
    const [rejected] = await r.store.byRecipient(bad);
    expect(rejected).toMatchObject({ state: 'rejected' });
    expect(rejected!.reason).toMatch(/İYS holds no record for this recipient and channel/);
    expect(r.sandbox.state.records()).toHaveLength(49);
    expect(storedTwice(r.sandbox)).toEqual([]);
    // One look-up settled the lost request; one more explained the refusal.
    expect(r.readbackEvents).toContainEqual({ type: 'doubt-resolved', method: 'read-back', stored: false, lookups: 1, records: 50 });
    expect(r.lookups()).toBe(2);
    const lines = await r.store.attemptsOf(ids[0]!);
    expect(lines.map((l) => l.outcome)).toEqual(['sending', 'ambiguous', 'resolved', 'sending', 'records-refused', 'sending', 'accepted']);
    expect(lines[2]!.message).toMatch(/the request was not stored; sent again$/);
  });

  it('a bad record alone whose own request lost its answer is rejected, not taken as stored', async () => {
    let ref: Rig | undefined;
    let drop = false;
    const r = await rig({
      openStore: ledger, readback: NO_CONFIRMATION,
      wrapSender: (s) => ({
        send: async (records) => {
          if (drop) ref!.sandbox.configure({ faults: { dropRate: 1 } });
          try {
            return await s.send(records);
          } finally {
            ref!.sandbox.configure({ faults: { dropRate: 0 } });
            drop = false;
          }
        },
        close: () => s.close(),
      }),
    });
    ref = r;
    await insertMany(r, 1);
    r.dispatcher.start();
    await waitFor('a first record registered', async () => (await r.store.countByState()).registered === 1);
    const bad = newPhone();
    r.sandbox.configure({ refuseRecipients: [bad] });
    drop = true;
    await insertMany(r, 1, [bad]);
    expect(await settled(r.store)).toMatchObject({ registered: 1, rejected: 1 });
    expect(r.sandbox.state.counts()).toMatchObject({ 200: 1, dropped: 1, 422: 1 });
    expect((await r.store.byRecipient(bad))[0]).toMatchObject({ state: 'rejected' });
  });

  it('an ONAY İYS already holds from the panel: rejected with İYS\'s record in its reason, and that record observed', async () => {
    const r = await rig({ openStore: ledger, readback: NO_CONFIRMATION });
    const phone = newPhone();
    const panelDate = formatTurkeyTime(Date.now() - 10 * 60_000);
    expect(r.sandbox.changeElsewhere({ origin: 'panel', recipient: phone, type: 'MESAJ', status: 'ONAY', source: 'HS_FIZIKSEL_ORTAM', consentDate: panelDate }).ok).toBe(true);
    await insertMany(r, 10, [phone]);
    r.dispatcher.start();
    expect(await settled(r.store)).toMatchObject({ registered: 9 + 1, rejected: 1 });
    const rows = await r.store.byRecipient(phone);
    const ours = rows.find((x) => x.observedBy === null)!;
    expect(ours.state).toBe('rejected');
    expect(ours.reason).toContain(`İYS already holds ONAY (source HS_FIZIKSEL_ORTAM, consentDate ${panelDate}) for this recipient and channel`);
    const observed = rows.find((x) => x.observedBy !== null)!;
    expect(observed).toMatchObject({ state: 'registered', observedBy: 'refusal', drift: 'record', status: 'ONAY', source: 'HS_FIZIKSEL_ORTAM', consentDate: panelDate });
    expect(observed.confirmedAt).not.toBeNull();
    expect(ours.reason).toContain(`observed record ${observed.id}`);
    expect(r.readbackEvents).toContainEqual({ type: 'drift', kind: 'record' });
    // The lookup shows both: our record's reason, and the observed record with İYS's dates.
    const view = toRecordView(observed, await r.store.attemptsOf(observed.id));
    expect(view).toMatchObject({ state: 'registered', source: 'HS_FIZIKSEL_ORTAM', observed: { by: 'refusal', drift: 'record', iys: { creationDate: expect.any(String) } }, check: { state: 'confirmed' } });
    expect(toRecordView(ours, [])).toMatchObject({ state: 'rejected', reason: ours.reason });
  });

  it('every registered record of a 1,000-record run ends confirmed', async () => {
    const r = await rig({ openStore: ledger, readback: { confirmDelayMs: 0 }, dispatcher: { batchMax: 250 } });
    const { ids } = await insertMany(r, 1000);
    r.dispatcher.start();
    expect(await settled(r.store)).toMatchObject({ registered: 1000 });
    await waitFor('every record confirmed', async () => (await r.store.dueForCheck({ registeredBefore: Date.now(), checkedBefore: Date.now(), limit: 1 })).length === 0, 60_000);
    const rows = await r.store.byIds(ids);
    expect(rows.filter((x) => x.state === 'registered' && x.confirmedAt !== null && x.checkState === 'confirmed')).toHaveLength(1000);
    expect(r.requests()).toBe(4);
    expect(r.lookups()).toBe(1000);
  });

  it('a record iletiMerkezi accepted that İYS never shows: flagged unseen, sent again, the copy confirmed', async () => {
    let faked = false;
    const r = await rig({
      openStore: ledger, readback: { confirmDelayMs: 50, confirmWithinMs: 300 },
      // The first request is "accepted" without reaching İYS (lost in iletiMerkezi's synchronisation).
      wrapSender: (s) => ({
        send: async (records) => {
          if (faked) return s.send(records);
          faked = true;
          return { kind: 'accepted', code: 200, message: 'İşlem başarılı' };
        },
        close: () => s.close(),
      }),
    });
    const { ids, records } = await insertMany(r, 1);
    r.dispatcher.start();
    await waitFor('the record flagged and its copy confirmed', async () => {
      const rows = await r.store.byRecipient(records[0]!.record.recipient);
      return rows.length === 2 && rows[1]!.checkState === 'confirmed';
    });
    const [original, copy] = await r.store.byRecipient(records[0]!.record.recipient);
    expect(original).toMatchObject({ id: ids[0], state: 'registered', checkState: 'unseen', confirmedAt: null });
    expect(toRecordView(original!, []).check).toMatchObject({ state: 'unseen', note: original!.checkNote });
    const row = csvLine(toReceipt(original!)).split(',');
    const header = csvHeader().trim().split(',');
    expect(row[header.indexOf('checkState')]).toBe('unseen');
    expect(toRecordView(copy!, [])).toMatchObject({ requeueOf: ids[0], confirmedAt: expect.any(String), check: { state: 'confirmed' } });
    expect(original!.checkNote).toMatch(/^not visible in İYS \d+ min after iletiMerkezi accepted it \(İYS holds no record for this recipient and channel\); sent again as record /);
    expect(copy).toMatchObject({ state: 'registered', requeueOf: ids[0], checkState: 'confirmed', consentDate: original!.consentDate });
    expect(r.sandbox.state.records()).toHaveLength(1);
    expect(await r.store.unseenCount()).toBe(0);
    expect(r.readbackEvents).toContainEqual({ type: 'drift', kind: 'missing' });
  });

  it('an unseen record whose copy is not confirmed makes /healthz degraded and shows in /metrics', async () => {
    const r = await rig({ openStore: ledger });
    const { ids } = await insertMany(r, 1);
    await r.store.markRegistered(ids, Date.now());
    const metrics = createMetrics({ store: r.store });
    const observe = readbackMetrics(metrics, r.store);
    const health = addOperatorHealthChecks(new HealthChecks(), { store: r.store, readback: true });
    expect(await health.run()).toEqual({ status: 'ok' });
    await r.store.markChecked(ids, { at: Date.now(), state: 'unseen', note: 'not visible in İYS' });
    observe({ type: 'drift', kind: 'missing' });
    observe({ type: 'lookup', purpose: 'confirmation', outcome: 'none', ms: 3 });
    const report = await health.run();
    expect(report).toMatchObject({ status: 'degraded', reasons: [expect.stringMatching(/^confirmation: 1 record\(s\) accepted by iletiMerkezi are not visible in İYS/)] });
    const text = await metrics.render();
    expect(text).toContain('iys_unseen_records 1');
    expect(text).toContain('iys_drift_total{kind="missing"} 1');
    expect(text).toContain('iys_readback_lookups_total{purpose="confirmation",outcome="none"} 1');
  });

  it('a citizen RET made through İYS: verify=1 shows it, and the lookup and the export show it as an observed record', async () => {
    const r = await rig({ openStore: ledger, readback: NO_CONFIRMATION });
    const phone = newPhone();
    const { ids } = await insertMany(r, 1, [phone]);
    r.dispatcher.start();
    await settled(r.store);
    // The person sends RET to 3338: İYS records it itself, the collector never hears of it.
    const retDate = formatTurkeyTime(Date.now());
    expect(r.sandbox.changeElsewhere({ origin: 'citizen', recipient: phone, type: 'MESAJ', status: 'RET', source: 'IYS_3338', consentDate: retDate }).ok).toBe(true);
    const lookups = consentsRoutes(r.store, letThrough, undefined, () => r.readback!.verify);
    const before = (await (await lookups.request(`/v1/consents?recipient=${encodeURIComponent(phone)}`)).json()) as RecipientRecords;
    expect(before.records).toHaveLength(1);
    expect(before.iys).toBeUndefined();

    const res = await lookups.request(`/v1/consents?recipient=${encodeURIComponent(phone)}&verify=1`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as RecipientRecords;
    expect(body.iys).toEqual([{
      recipientType: 'BIREYSEL', type: 'MESAJ', agrees: false, observedId: expect.any(String),
      iys: { status: 'RET', source: 'IYS_3338', consentDate: retDate, extras: { creationDate: expect.any(String) } },
      ledger: { id: ids[0], status: 'ONAY', consentDate: body.records[0]!.consentDate },
    }]);
    const observed = body.records.find((x) => x.observed)!;
    expect(observed).toMatchObject({ id: body.iys![0]!.observedId, status: 'RET', source: 'IYS_3338', state: 'registered', observed: { by: 'verification', drift: 'status' } });
    expect(body.records.find((x) => x.id === ids[0])).toMatchObject({ check: { state: 'superseded', note: expect.stringContaining('İYS holds RET (source IYS_3338') } });
    expect(r.readbackEvents).toContainEqual({ type: 'drift', kind: 'status' });

    // Verified again: the ledger now agrees, nothing more is written.
    const again = (await (await lookups.request(`/v1/consents?recipient=${encodeURIComponent(phone)}&verify=1`)).json()) as RecipientRecords;
    expect(again.iys![0]).toMatchObject({ agrees: true, ledger: { id: observed.id, status: 'RET' } });
    expect(again.records).toHaveLength(2);

    const exported = await (await exportRoutes({ store: r.store, auth: letThrough, now: Date.now, logger: silentLogger }).request('/v1/export?format=ndjson')).text();
    const lines = exported.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.piiPrincipalId === phone);
    expect(lines.find((l) => l.consentReceiptId === observed.id)).toMatchObject({
      consentStatus: 'RET', consentEvent: 'withdrawn', collectionMethod: 'IYS_3338', state: 'registered', observedBy: 'verification', drift: 'status',
      confirmedAt: expect.any(String), checkState: 'confirmed',
    });
  });

  it('verify=1 with read-back off is refused (409 readback-off); a bad verify value is 422 naming it', async () => {
    const r = await rig({ openStore: ledger });
    const lookups = consentsRoutes(r.store, letThrough);
    const off = await lookups.request('/v1/consents?recipient=05321234567&verify=1');
    expect(off.status).toBe(409);
    expect(await off.json()).toMatchObject({ error: { code: 'readback-off' } });
    const bad = await lookups.request('/v1/consents?recipient=05321234567&verify=yes');
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid-query', issues: [{ path: 'verify' }] } });
  });

  it('the sweep re-checks registered records, oldest look-up first, and brings in a citizen RET by itself', async () => {
    const r = await rig({ openStore: ledger, readback: { confirmDelayMs: 0, sweepAfterMs: 300, sweepRatePerS: 20 } });
    const phones = [newPhone(), newPhone(), newPhone()];
    await insertMany(r, 3, phones);
    r.dispatcher.start();
    await settled(r.store);
    await waitFor('all three confirmed', async () => (await r.store.byRecipient(phones[2]!))[0]!.checkState === 'confirmed');
    const retDate = formatTurkeyTime(Date.now());
    expect(r.sandbox.changeElsewhere({ origin: 'citizen', recipient: phones[1]!, type: 'MESAJ', status: 'RET', source: 'IYS_WEB', consentDate: retDate }).ok).toBe(true);
    // Two writes: the observed record, then our ONAY marked superseded.
    await waitFor('the RET observed by the sweep', async () => {
      const rows = await r.store.byRecipient(phones[1]!);
      return rows.some((x) => x.observedBy === 'sweep') && rows.some((x) => x.checkState === 'superseded');
    });
    const rows = await r.store.byRecipient(phones[1]!);
    expect(rows.find((x) => x.observedBy === 'sweep')).toMatchObject({ status: 'RET', source: 'IYS_WEB', consentDate: retDate, drift: 'status', state: 'registered' });
    expect(rows.find((x) => x.observedBy === null)).toMatchObject({ checkState: 'superseded' });
    // The sweep takes the records in the order of their last look-up (their confirmations, A then B then C).
    const swept = r.sandbox.state.showRequests().slice(3).map((q) => q.recipient);
    expect(swept.slice(0, 2)).toEqual(phones.slice(0, 2));
    expect(r.readbackEvents.filter((e) => e.type === 'lookup' && e.purpose === 'sweep').length).toBeGreaterThanOrEqual(2);
  });
});
