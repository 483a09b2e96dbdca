import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger as silent } from '../../server/log/logger.ts';
import { testConfig } from '../../server/runtime/config.ts';
import { startCollector } from '../../server/runtime/collector.ts';
import { parseTurkeyTime } from '../../shared/turkey-time.ts';
import { waitFor } from './dispatch-harness.ts';
import {
  ADMIN_TOKEN, SENDER, STORES, codeSentTo, leaks, lookup, post, startVerifyRig, verifyBody, type VerifyRig,
} from './verification-harness.ts';

/**
 * A consent posted with verify "sms" reaches İYS only after the right code: held (durably, in both
 * ledgers) and never claimed before it, made pending with the verification as evidence once the code
 * is typed, locked after too many wrong codes, expired unsent when nobody types it; no log line shows
 * the number in full or a code.
 */

const rigs: VerifyRig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});
const start = async (...args: Parameters<typeof startVerifyRig>) => {
  const rig = await startVerifyRig(...args);
  rigs.push(rig);
  return rig;
};

let phoneNo = 0;
const newMobile = () => `+90535${String(++phoneNo).padStart(7, '0')}`;
const local = (recipient: string) => `0${recipient.slice(3)}`;
const wrongOf = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

type Awaiting = { ids: string[]; state: string; verification: { id: string; sentTo: string; attemptsLeft: number; expiresAt: string } };

describe.each(STORES)('$name ledger: an SMS-verified consent', (kind) => {
  it.runIf(kind.available)('is held, never claimed or sent, until the right code; then reaches İYS with the verification as evidence', async () => {
    const rig = await start({ kind });
    const recipient = newMobile();
    const res = await post(rig.url, '/v1/consents', verifyBody(local(recipient), { idempotencyKey: 'verify-key-0001' }));
    expect(res.status).toBe(202);
    const held = (await res.json()) as Awaiting;
    expect(held).toMatchObject({ ids: [], state: 'awaiting-verification', verification: { sentTo: '+90535*****' + recipient.slice(-2), attemptsLeft: 5 } });

    // The code went out as send-sms documents it: transactional, from the configured header.
    const [sms] = rig.sandbox.sms.messages();
    expect(sms).toMatchObject({ sender: SENDER, iys: '0', number: recipient.slice(1) });
    const code = codeSentTo(rig.sandbox, recipient);

    // Held durably, as a hash only; nothing for the dispatcher.
    const stored = await rig.store.verifications().get(held.verification.id);
    expect(stored).toMatchObject({ state: 'awaiting-verification', recipient, attempts: 0 });
    expect(stored!.codeHash).not.toContain(code);
    expect(await rig.store.byRecipient(recipient)).toEqual([]);
    expect(await rig.store.claim({ owner: 'probe', limit: 100, leaseMs: 1000, now: rig.now() })).toEqual([]);
    expect(rig.sandbox.state.records()).toEqual([]);

    // The widget's outbox repeating the post: the same verification, no second SMS.
    const again = (await (await post(rig.url, '/v1/consents', verifyBody(local(recipient), { idempotencyKey: 'verify-key-0001' }))).json()) as Awaiting;
    expect(again.verification.id).toBe(held.verification.id);
    expect(rig.sandbox.sms.messages()).toHaveLength(1);

    const wrong = await post(rig.url, `/v1/verifications/${held.verification.id}`, { code: wrongOf(code) });
    expect(wrong.status).toBe(422);
    expect(((await wrong.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'verification-code-wrong', message: expect.stringContaining('4 tries left') });
    expect(await rig.store.byRecipient(recipient)).toEqual([]);

    rig.advance(60_000); // typed a minute after the click
    const right = await post(rig.url, `/v1/verifications/${held.verification.id}`, { code });
    expect(right.status).toBe(200);
    const made = (await right.json()) as { ids: string[]; state: string };
    expect(made).toMatchObject({ state: 'pending' });
    expect(made.ids).toHaveLength(2);

    await waitFor('both records registered at İYS', async () => (await rig.store.byIds(made.ids)).every((r) => r.state === 'registered'), 20_000);
    const records = await rig.store.byRecipient(recipient);
    const verifiedAt = (await rig.store.verifications().get(held.verification.id))!.verifiedAt!;
    for (const r of records) {
      // consentDate is the verification moment; the click's own date stays in the evidence.
      expect(parseTurkeyTime(r.consentDate)).toBe(Math.floor(verifiedAt / 1000) * 1000);
      expect(r.evidence.verification).toMatchObject({ id: held.verification.id, method: 'sms', attempts: 2, messageId: sms!.id, verifiedAt });
      expect(r.evidence.verification!.sentAt).toBeLessThan(verifiedAt);
    }
    expect(rig.sandbox.state.records().map((r) => r.consentDate)).toEqual(records.map((r) => r.consentDate));

    const seen = await lookup(rig.url, recipient);
    expect(seen.verifications).toEqual([expect.objectContaining({ id: held.verification.id, state: 'verified', attempts: 2, recordIds: made.ids })]);
    expect(seen.records[0]!.evidence.verification).toMatchObject({ method: 'sms', attempts: 2 });
    expect(JSON.stringify(seen)).not.toContain(stored!.codeHash);
    const exported = await fetch(`${rig.url}/v1/export?format=ndjson`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const receipts = (await exported.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(receipts).toHaveLength(2);
    for (const r of receipts) {
      expect(r).toMatchObject({
        verificationMethod: 'sms', verifiedAt: new Date(verifiedAt).toISOString(), verificationAttempts: 2, verificationMessageId: sms!.id,
        consentDate: records[0]!.consentDate,
      });
    }
    expect(leaks(rig.logs, recipient, [code])).toEqual([]);
  });

  it.runIf(kind.available)('expires unsent when the code is not typed in its lifetime (housekeeping, injected clock)', async () => {
    const rig = await start({ kind, verification: { codeTtlS: 300 } });
    const recipient = newMobile();
    const held = (await (await post(rig.url, '/v1/consents', verifyBody(local(recipient)))).json()) as Awaiting;
    const code = codeSentTo(rig.sandbox, recipient);

    rig.advance(299_000);
    expect(await rig.flow.expire(silent)).toBe(0);
    rig.advance(1_000);
    expect(await rig.flow.expire(silent)).toBe(1);

    const late = await post(rig.url, `/v1/verifications/${held.verification.id}`, { code });
    expect(late.status).toBe(410);
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe('verification-expired');
    expect(await rig.store.byRecipient(recipient)).toEqual([]);
    expect(await rig.store.claim({ owner: 'probe', limit: 100, leaseMs: 1000, now: rig.now() })).toEqual([]);
    expect(rig.sandbox.state.records()).toEqual([]);
    const seen = await lookup(rig.url, recipient);
    expect(seen.records).toEqual([]);
    expect(seen.verifications).toEqual([expect.objectContaining({ state: 'expired', reason: expect.stringContaining('nothing was sent to İYS'), recordIds: [] })]);
    expect(leaks(rig.logs, recipient, [code])).toEqual([]);
  });
});

describe('wrong codes are limited', () => {
  it('locks after the fifth wrong code: the right one is refused afterwards and nothing reaches İYS', async () => {
    const rig = await start();
    const recipient = newMobile();
    const held = (await (await post(rig.url, '/v1/consents', verifyBody(local(recipient)))).json()) as Awaiting;
    const code = codeSentTo(rig.sandbox, recipient);
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post(rig.url, `/v1/verifications/${held.verification.id}`, { code: wrongOf(code) });
      answers.push(`${res.status} ${((await res.json()) as { error: { code: string } }).error.code}`);
    }
    expect(answers).toEqual([...Array(4).fill('422 verification-code-wrong'), '410 verification-locked']);
    const right = await post(rig.url, `/v1/verifications/${held.verification.id}`, { code });
    expect(right.status).toBe(410);
    expect(((await right.json()) as { error: { code: string } }).error.code).toBe('verification-locked');
    expect(await rig.store.byRecipient(recipient)).toEqual([]);
    expect(rig.sandbox.state.records()).toEqual([]);
    expect((await lookup(rig.url, recipient)).verifications).toEqual([expect.objectContaining({ state: 'locked', attempts: 5 })]);

    const metrics = await (await fetch(`${rig.url}/metrics`)).text();
    expect(metrics).toContain('iys_verifications_total{outcome="wrong-code"} 4');
    expect(metrics).toContain('iys_verifications_total{outcome="locked"} 1');
    expect(leaks(rig.logs, recipient, [code])).toEqual([]);
  });

  it('sends one code for the same post repeated at once (one idempotency key)', async () => {
    const rig = await start();
    const recipient = newMobile();
    const body = verifyBody(local(recipient), { idempotencyKey: 'verify-same-at-once' });
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(rig.url, '/v1/consents', body)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    const ids = await Promise.all(answers.map(async (a) => ((await a.json()) as Awaiting).verification.id));
    expect(new Set(ids).size).toBe(1);
    expect(rig.sandbox.sms.messages()).toHaveLength(1);
  });

  it('answers the same post again after its code could not be sent with the verification\'s end, not a code step that can never be completed', async () => {
    const rig = await start({ sms: { send: async () => ({ ok: false, reason: 'send-sms answered 503' }) } });
    const body = verifyBody(local(newMobile()), { idempotencyKey: 'verify-send-failed-1' });
    const first = await post(rig.url, '/v1/consents', body);
    expect(first.status).toBe(503);
    expect(((await first.json()) as { error: { code: string } }).error.code).toBe('sms-unavailable');
    // What Retry-After invites: the same post again, with its idempotency key.
    const again = await post(rig.url, '/v1/consents', body);
    expect(again.status).toBe(410);
    expect(((await again.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'verification-ended', message: expect.stringContaining('send-failed') });
  });

  it('answers a malformed code and an unknown verification with their own refusals', async () => {
    const rig = await start();
    const bad = await post(rig.url, '/v1/verifications/v_nothing', { code: '12ab56' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { issues: unknown[] } }).error.issues).toEqual([{ path: 'code', message: 'must be the 6 digits of the SMS' }]);
    const unknown = await post(rig.url, '/v1/verifications/v_nothing', { code: '123456' });
    expect(unknown.status).toBe(404);
    const email = await post(rig.url, '/v1/consents', verifyBody('someone@example.com', { channels: ['EPOSTA'] }));
    expect(email.status).toBe(422);
    expect(rig.sandbox.sms.messages()).toEqual([]);
  });
});

describe('a withdrawal is never held for a code', () => {
  it('refuses verify on a RET (422 naming verify), sends no SMS and holds nothing; the RET without verify is recorded at once', async () => {
    const rig = await start();
    const recipient = newMobile();
    const held = await post(rig.url, '/v1/consents', verifyBody(local(recipient), { status: 'RET' }));
    expect(held.status).toBe(422);
    expect(((await held.json()) as { error: { code: string; issues: Array<{ path: string }> } }).error).toMatchObject({ code: 'invalid-consent', issues: [{ path: 'verify' }] });
    expect(rig.sandbox.sms.messages()).toEqual([]);
    const { verify: _, ...plain } = verifyBody(local(recipient), { status: 'RET' });
    const sent = await post(rig.url, '/v1/consents', plain);
    expect(sent.status).toBe(202);
    expect(((await sent.json()) as { state: string }).state).toBe('pending');
  });
});

describe('the collector runtime (IYS_SANDBOX=1)', () => {
  it('sends the code from the SANDBOX header through its own sandbox, and registers the consent once it is typed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iys-verify-runtime-'));
    const runtime = await startCollector(testConfig({ port: 0, host: '127.0.0.1', databaseUrl: `file:${join(dir, 'ledger.db')}`, flushMs: 50, rateLimit: 0 }), { logger: silent });
    try {
      const recipient = newMobile();
      const res = await fetch(`${runtime.url}/v1/consents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(verifyBody(local(recipient))) });
      expect(res.status).toBe(202);
      const held = (await res.json()) as Awaiting;
      expect(runtime.sandbox!.sms.lastTo(recipient)).toMatchObject({ sender: 'SANDBOX', iys: '0' });
      const right = await fetch(`${runtime.url}/v1/verifications/${held.verification.id}`, { method: 'POST', body: JSON.stringify({ code: codeSentTo(runtime.sandbox!, recipient) }) });
      expect(right.status).toBe(200);
      await waitFor('registered', async () => (await runtime.store.byRecipient(recipient)).every((r) => r.state === 'registered'), 20_000);
      expect(runtime.sandbox!.state.records().filter((r) => r.recipient === recipient)).toHaveLength(2);
    } finally {
      await runtime.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
