import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NoticeMatches, Overview, RecipientView, Report, Reveal } from '../../shared/console-api.ts';
import { DEADLINE_MS, formatTurkeyTime } from '../../shared/turkey-time.ts';
import { canonicalJson } from '../../server/admin/canonical-json.ts';
import { REPORT_ATTACHMENT } from '../../server/admin/report-pdf.ts';
import { testConfig } from '../../server/runtime/config.ts';
import { startCollector, type CollectorRuntime } from '../../server/runtime/collector.ts';
import { ledgerRecord, webRecord } from '../fixtures/records.ts';
import { readPdf, sha256Hex } from '../helpers/pdf.ts';
import { consentBody, postConsent } from './collector-harness.ts';
import { waitFor } from './dispatch-harness.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

/**
 * The console's API on the real collector (startCollector: SQLite, the built-in sandbox, the
 * dispatcher): the overview, a recipient found by any form of their number, the logged reveal, the
 * audit report and its PDF, re-queue, and the operator's pause, each behind the admin token.
 */

const TOKEN = 'console-test-admin-token-0123456789';
const PHONE = '+905321234567';
const MASKED = '+90532*****67';
const OTHER = '+905329876543';
const THIRD = '+905339998877';
const NOTICE_TEXT = 'Kampanya iletileri için onay metni.';

let rt: CollectorRuntime;
let dir: string;
const { logger, lines } = captureLogger();

const api = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${rt.url}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${init.token ?? TOKEN}`, ...init.headers } });
const json = async <T>(res: Response, status = 200): Promise<T> => {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
};
const lookup = (recipient: string) => api('/v1/admin/lookup', { method: 'POST', body: JSON.stringify({ recipient }) });
const statesOf = async (recipient: string) =>
  (await json<RecipientView>(await lookup(recipient))).channels.flatMap((c) => c.records.map((r) => `${c.type}:${r.status}:${r.state}`));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iys-console-api-'));
  const config = testConfig({ port: 0, host: '127.0.0.1', databaseUrl: `file:${join(dir, 'ledger.db')}`, admin: { token: TOKEN }, flushMs: 50, rateLimit: 0 });
  rt = await startCollector(config, { logger });
  // The notice the consent below was shown, registered: its evidence then names the registered version.
  const notice = await json<{ hash: string }>(await api('/v1/admin/notices', { method: 'POST', body: JSON.stringify({ version: '2026-11-01', lang: 'tr', text: NOTICE_TEXT }) }), 201);
  // A consent with evidence, registered: the account is shown to work, so a record refused alone is rejected.
  const posted = await postConsent(rt.url, consentBody({
    notice: { version: '2026-11-01', hash: notice.hash, lang: 'tr' }, pageUrl: 'https://shop.example/kayit', widgetVersion: '0.1.0',
  }), { 'user-agent': 'Mozilla/5.0 console-test' });
  expect(posted.status).toBe(202);
  await waitFor('the consent registered', async () => (await statesOf('0532 123 45 67')).join() === 'MESAJ:ONAY:registered,ARAMA:ONAY:registered', 20_000);
}, 60_000);
afterAll(async () => {
  await rt?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the console API', () => {
  it('answers 401 without the token or with a wrong one, and reveals nothing', async () => {
    for (const [method, path] of [['GET', '/v1/admin/overview'], ['POST', '/v1/admin/lookup'], ['GET', '/v1/admin/sending'], ['POST', '/v1/admin/sending/pause']]) {
      const wrong = await api(path!, { method, token: 'not-the-token-at-all', body: method === 'POST' ? '{"recipient":"0532 123 45 67"}' : undefined });
      expect(wrong.status, path).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await wrong.text()).not.toMatch(/905321234567|\*{5}/);
    }
    expect((await json<{ sending: { heldByOperator: unknown } }>(await api('/v1/admin/sending'))).sending.heldByOperator).toBeNull();
  });

  it('the overview: counts, the pending record closest to its deadline masked, sending, requests per hour', async () => {
    // A batch record 60 hours old: the closest to its deadline.
    await rt.store.insert([ledgerRecord(webRecord(OTHER, { consentDate: formatTurkeyTime(Date.now() - 60 * 3600_000) }), Date.now())]);
    const o = await json<Overview>(await api('/v1/admin/overview?hours=6'));
    expect(o.counts.registered).toBeGreaterThanOrEqual(2);
    expect(o.sending).toMatchObject({ heldByOperator: null, paused: null, inFlight: expect.any(Number) });
    const accepted = o.requests.hours.filter((h) => h.outcome === 'accepted');
    expect(accepted.reduce((n, h) => n + h.requests, 0)).toBeGreaterThanOrEqual(1);
    expect(Date.parse(o.requests.to) - Date.parse(o.requests.from)).toBe(6 * 3600_000);
    await waitFor('the old record registered', async () => (await statesOf(OTHER)).join() === 'MESAJ:ONAY:registered', 20_000);
    const res = await api('/v1/admin/overview');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).not.toContain('905329876543');
    expect((await api('/v1/admin/overview?hours=0')).status).toBe(422);
  });

  it("the overview's read-back figures: records confirmed at İYS, and a citizen's RET made through İYS counted as observed", async () => {
    const before = (await json<Overview>(await api('/v1/admin/overview'))).readback;
    const third = THIRD;
    expect((await postConsent(rt.url, consentBody({ recipient: third, channels: ['MESAJ'], consentDate: formatTurkeyTime(Date.now() - 5000) }))).status).toBe(202);
    await waitFor('the third consent registered', async () => (await statesOf(third)).join() === 'MESAJ:ONAY:registered', 20_000);
    const ret = rt.sandbox!.changeElsewhere({ origin: 'citizen', recipient: third, recipientType: 'BIREYSEL', type: 'MESAJ', status: 'RET', source: 'IYS_3338' });
    expect(ret, JSON.stringify(ret)).toMatchObject({ ok: true });
    // Verify on demand: PHONE's two records are confirmed, third's ONAY superseded by the observed RET.
    for (const who of [PHONE, third]) expect((await api(`/v1/consents?recipient=${encodeURIComponent(who)}&verify=1`)).status).toBe(200);
    const o = await json<Overview>(await api('/v1/admin/overview'));
    expect(o.readback).toMatchObject({
      confirmed: before.confirmed + 2, superseded: before.superseded + 1, unseen: 0,
      observed: { citizen: before.observed.citizen + 1, panel: before.observed.panel, status: before.observed.status + 1, record: before.observed.record },
    });
    expect(o.readback.ours).toBeGreaterThanOrEqual(3);
    expect(Date.parse(o.readback.lastCheckedAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('the notice registry panel: records matched per registered version, the rest by judgement, observed records left out', async () => {
    const m = await json<NoticeMatches>(await api('/v1/admin/notice-matches'));
    // PHONE's consent (MESAJ and ARAMA) matched the registered 2026-11-01; THIRD's posted none; OTHER's came in a batch (never judged).
    expect(m.versions).toEqual([{ version: '2026-11-01', records: 2 }]);
    expect(m).toMatchObject({ unmatched: 0, noNotice: 1, unjudged: 1 });
    expect((await api('/v1/admin/notice-matches', { token: 'not-the-token-at-all' })).status).toBe(401);
  });

  it('finds a recipient by any form of the number, per channel, with evidence and İYS answers, masked', async () => {
    for (const typed of ['0532 123 45 67', '+90 (532) 123-45-67', '905321234567']) {
      const res = await lookup(typed);
      const text = await res.clone().text();
      expect(text).not.toContain('5321234567');
      const view = await json<RecipientView>(res);
      expect(view).toMatchObject({ recipient: MASKED, kind: 'phone' });
      expect(view.channels.map((c) => c.type)).toEqual(['MESAJ', 'ARAMA']);
      const r = view.channels[0]!.records[0]!;
      expect(r.evidence).toMatchObject({
        rawRecipient: '0532 *** ** 67', noticeVersion: '2026-11-01', pageUrl: 'https://shop.example/kayit', userAgent: 'Mozilla/5.0 console-test',
        noticeMatch: 'matched', noticeRegistered: '2026-11-01',
      });
      // Confirmed by the verify=1 look-up of the read-back test above.
      expect(r).toMatchObject({ confirmedAt: expect.any(String), check: { state: 'confirmed' } });
      expect(view.notices).toEqual([{ version: '2026-11-01', lang: 'tr', text: NOTICE_TEXT, hash: expect.stringMatching(/^sha256:/), registeredAt: expect.any(String) }]);
      expect(r.attemptLog.map((a) => a.outcome)).toEqual(['sending', 'accepted']);
      expect(r.attemptLog[1]).toMatchObject({ code: 200, message: 'İşlem başarılı' });
    }
    const view = await json<RecipientView>(await lookup('0532 123 45 67'));
    expect(await json<RecipientView>(await api(`/v1/admin/recipients/${view.ref}`))).toEqual(view);
    expect((await lookup('0533 000 00 01')).status).toBe(404);
    expect((await lookup('not a phone')).status).toBe(422);
    expect((await api('/v1/admin/recipients/no-such-record')).status).toBe(404);
  });

  it('reveals the full number on request, and logs the reveal masked, with the request id and the address', async () => {
    const { ref } = await json<RecipientView>(await lookup('0532 123 45 67'));
    const res = await api(`/v1/admin/recipients/${ref}/reveal`, { method: 'POST', headers: { 'x-request-id': 'reveal-test-1' } });
    const reveal = await json<Reveal>(res);
    expect(reveal.recipient).toBe(PHONE);
    expect(reveal.asEntered.map((a) => a.rawRecipient)).toContain('0532 123 45 67');
    const logged = lines.filter((l) => l.event === 'admin.reveal');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ recipient: MASKED, requestId: 'reveal-test-1', ip: '127.0.0.1', ref });
    expect(JSON.stringify(lines)).not.toContain('5321234567');
  });

  it('the audit report: the same ledger gives the same SHA-256 of its canonical JSON; the PDF carries it and the data', async () => {
    const { ref } = await json<RecipientView>(await lookup('0532 123 45 67'));
    const first = await json<Report>(await api(`/v1/admin/recipients/${ref}/report`));
    const again = await json<Report>(await api(`/v1/admin/recipients/${ref}/report`));
    expect(first.sha256).toBe(sha256Hex(canonicalJson(first.report)));
    expect(again.sha256).toBe(first.sha256);
    expect(first.report.recipient).toBe(MASKED);
    expect(JSON.stringify(first)).not.toContain('5321234567');
    const consentDate = first.report.channels[0]!.records[0]!.consentDate;
    expect(first.report.format).toBe('iys-consent-report/2');
    expect(first.report.notices).toEqual([expect.objectContaining({ version: '2026-11-01', lang: 'tr', text: NOTICE_TEXT })]);
    const given = first.report.channels[0]!.records[0]!;
    expect(given.evidence).toMatchObject({ notice: { version: '2026-11-01', match: 'matched', registered: '2026-11-01' }, verification: null, formTokenAgeMs: null });
    expect(given.readback).toMatchObject({ checkState: 'confirmed', confirmedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/) });
    expect(given.observed).toBeNull();
    // The citizen's RET İYS holds for THIRD: an observed record in its report, İYS's own source.
    const third = await json<Report>(await api(`/v1/admin/recipients/${(await json<RecipientView>(await lookup(THIRD))).ref}/report`));
    const observed = third.report.channels[0]!.records.find((x) => x.observed)!;
    expect(observed).toMatchObject({ status: 'RET', source: 'IYS_3338', observed: { by: 'verification', drift: 'status', iys: { creationDate: expect.any(String) } } });
    expect(third.report.channels[0]!.records[0]!.readback).toMatchObject({ checkState: 'superseded', checkNote: expect.stringContaining('IYS_3338') });
    expect(third.sha256).toBe(sha256Hex(canonicalJson(third.report)));

    const pdfRes = await api(`/v1/admin/recipients/${ref}/report.pdf?sha256=${first.sha256}`);
    expect(pdfRes.status).toBe(200);
    expect(pdfRes.headers.get('content-type')).toBe('application/pdf');
    expect(pdfRes.headers.get('content-disposition')).toMatch(/^attachment; filename="iys-consent-report-/);
    const pdf = await readPdf(new Uint8Array(await pdfRes.arrayBuffer()));
    expect(pdf.text).toContain(MASKED);
    expect(pdf.text).toContain(consentDate);
    expect(pdf.text).toContain(first.sha256);
    expect(pdf.text).toContain('İYS izin denetim raporu');
    expect(pdf.text).toContain(NOTICE_TEXT);
    expect(pdf.text).toContain('Kayıtlı onay metinleri');
    expect(pdf.text).toContain(given.readback.confirmedAt);
    expect(pdf.text).not.toContain('5321234567');
    const data = pdf.attachments.get(REPORT_ATTACHMENT)!;
    expect(sha256Hex(data)).toBe(first.sha256);
    expect(JSON.parse(data.toString('utf8'))).toEqual(first.report);

    expect((await api(`/v1/admin/recipients/${ref}/report.pdf?sha256=${'0'.repeat(64)}`)).status).toBe(409);
    const en = await readPdf(new Uint8Array(await (await api(`/v1/admin/recipients/${ref}/report.pdf?lang=en`)).arrayBuffer()));
    expect(en.text).toContain('İYS consent audit report');
  });

  it('re-queues a rejected record as a new pending record that registers; refuses what cannot be sent, naming why', async () => {
    rt.sandbox!.configure({ refuseRecipients: [PHONE] });
    const withdrawn = await postConsent(rt.url, consentBody({ channels: ['MESAJ'], status: 'RET' }));
    expect(withdrawn.status).toBe(202);
    await waitFor('the RET rejected', async () => (await statesOf('0532 123 45 67')).includes('MESAJ:RET:rejected'), 20_000);
    const view = await json<RecipientView>(await lookup('0532 123 45 67'));
    const ret = view.channels[0]!.records.find((r) => r.status === 'RET')!;
    const registered = view.channels[0]!.records.find((r) => r.status === 'ONAY')!;

    const notThatOne = await json<{ error: { code: string; message: string } }>(await api(`/v1/admin/records/${registered.id}/requeue`, { method: 'POST' }), 409);
    expect(notThatOne.error).toMatchObject({ code: 'not-requeueable', message: expect.stringMatching(/registered/) });

    rt.sandbox!.configure({ refuseRecipients: [] });
    const made = await json<{ id: string; requeueOf: string; state: string }>(await api(`/v1/admin/records/${ret.id}/requeue`, { method: 'POST' }), 201);
    expect(made).toMatchObject({ requeueOf: ret.id, state: 'pending' });
    await waitFor('the re-queued RET registered', async () => (await statesOf('0532 123 45 67')).includes('MESAJ:RET:registered'), 20_000);
    const after = (await json<RecipientView>(await lookup('0532 123 45 67'))).channels[0]!.records;
    expect(after.find((r) => r.id === ret.id)).toMatchObject({ state: 'rejected', requeuedAs: made.id });
    expect(after.find((r) => r.id === made.id)).toMatchObject({ state: 'registered', requeueOf: ret.id, consentDate: ret.consentDate });
    expect(lines.some((l) => l.event === 'admin.requeue' && l.recipient === MASKED && l.requeueOf === ret.id)).toBe(true);

    const twice = await json<{ error: { message: string } }>(await api(`/v1/admin/records/${ret.id}/requeue`, { method: 'POST' }), 409);
    expect(twice.error.message).toContain(made.id);
    expect((await api('/v1/admin/records/no-such-record/requeue', { method: 'POST' })).status).toBe(404);
  });

  it('refuses to re-queue a record past its deadline, measured from the original consentDate', async () => {
    const late = '+905321110000';
    const [id] = (await rt.store.insert([ledgerRecord(webRecord(late, { consentDate: formatTurkeyTime(Date.now() - DEADLINE_MS + 60_000) }), Date.now())])).ids as [string];
    await waitFor('the late record expired', async () => (await rt.store.byIds([id]))[0]!.state === 'expired', 20_000);
    const refused = await json<{ error: { code: string; message: string } }>(await api(`/v1/admin/records/${id}/requeue`, { method: 'POST' }), 422);
    expect(refused.error.code).toBe('requeue-refused');
    expect(refused.error.message).toMatch(/72 hours/);
    expect(await rt.store.byRecipient(late)).toHaveLength(1);
  });

  it("the operator's pause: nothing is sent until resumed; /healthz and /metrics say so", async () => {
    const paused = await json<{ sending: { heldByOperator: { since: string } | null } }>(await api('/v1/admin/sending/pause', { method: 'POST' }));
    expect(paused.sending.heldByOperator).not.toBeNull();
    const sentBefore = rt.dispatcher.status().requests;
    expect((await postConsent(rt.url, consentBody({ recipient: '0532 222 33 44', channels: ['MESAJ'] }))).status).toBe(202);
    rt.dispatcher.kick();
    const health = await (await fetch(`${rt.url}/healthz`)).json() as { reasons?: string[] };
    expect(health.reasons?.join()).toMatch(/sending: paused: an operator paused sending/);
    expect(await (await fetch(`${rt.url}/metrics`)).text()).toMatch(/iys_sending_paused\{reason="operator"\} 1/);
    expect(rt.dispatcher.status().requests).toBe(sentBefore);
    expect(await statesOf('0532 222 33 44')).toEqual(['MESAJ:ONAY:pending']);

    const resumed = await json<{ sending: { heldByOperator: unknown } }>(await api('/v1/admin/sending/resume', { method: 'POST' }));
    expect(resumed.sending.heldByOperator).toBeNull();
    await waitFor('registered after the resume', async () => (await statesOf('0532 222 33 44')).join() === 'MESAJ:ONAY:registered', 20_000);
    expect(lines.filter((l) => l.event === 'admin.sending-paused' || l.event === 'admin.sending-resumed')).toHaveLength(2);
  });
});
