import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger as silent } from '../../server/log/logger.ts';
import { EXPIRED_REASON, createVerificationFlow } from '../../server/intake/verification-flow.ts';
import { testConfig } from '../../server/runtime/config.ts';
import type { VerificationStore } from '../../server/stores/store.ts';
import { STORES, codeSentTo, post, startVerifyRig, verifyBody, type VerifyRig } from './verification-harness.ts';

/**
 * A right code and the expiry sweep (or a second request with the same code) meeting on one
 * verification: the records exist exactly when the row says `verified`; codes typed at once never
 * get more comparisons than the limit of tries. The interleaving is driven
 * through a hook on the store the flow is given, not by timing: the other party acts after the code
 * was counted and before the records are made.
 */

const rigs: VerifyRig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});

type Awaiting = { verification: { id: string } };
let phoneNo = 0;
const newMobile = () => `+90536${String(++phoneNo).padStart(7, '0')}`;

/** A flow over the rig's ledger whose store runs `between` once, right after the first typed code is counted. */
function hookedFlow(rig: VerifyRig, between: () => Promise<void>) {
  const real = rig.store.verifications();
  let fired = false;
  const hooked: VerificationStore = {
    ...real,
    async countAttempt(id) {
      const n = await real.countAttempt(id);
      if (!fired) {
        fired = true;
        await between();
      }
      return n;
    },
  };
  const store = { insert: rig.store.insert.bind(rig.store), verifications: () => hooked };
  const config = { ...testConfig().verification, sender: 'MAGAZA' };
  return createVerificationFlow({ config, store, sms: () => null, logger: silent, now: rig.now });
}

async function held(rig: VerifyRig, recipient: string): Promise<{ id: string; code: string }> {
  const res = await post(rig.url, '/v1/consents', verifyBody(`0${recipient.slice(3)}`, { idempotencyKey: `race-key-${recipient.slice(3)}` }));
  expect(res.status).toBe(202);
  return { id: ((await res.json()) as Awaiting).verification.id, code: codeSentTo(rig.sandbox, recipient) };
}

describe.each(STORES)('$name ledger: a right code meeting another party', (kind) => {
  it.runIf(kind.available)('the sweep expiring the row between the expiry check and the insert: no records, the answer says expired', async () => {
    const rig = await startVerifyRig({ kind });
    rigs.push(rig);
    const recipient = newMobile();
    const { id, code } = await held(rig, recipient);
    const row = (await rig.store.verifications().get(id))!;
    // The sweep of another collector whose clock already passed the code's lifetime.
    const flow = hookedFlow(rig, async () => void expect(await rig.store.verifications().expireDue(row.expiresAt, EXPIRED_REASON)).toBe(1));

    const result = await flow.check(id, code, silent);

    const after = (await rig.store.verifications().get(id))!;
    const records = await rig.store.byRecipient(recipient);
    expect({ state: after.state, records: records.length }).toEqual({ state: 'expired', records: 0 });
    expect(result).toEqual({ kind: 'ended', state: 'expired' });
    expect(after.recordIds).toEqual([]);
    expect(await rig.store.claim({ owner: 'probe', limit: 100, leaseMs: 1000, now: rig.now() })).toEqual([]);
  });

  it.runIf(kind.available)('the same right code typed twice at once: one set of records, both answers name it', async () => {
    const rig = await startVerifyRig({ kind });
    rigs.push(rig);
    const recipient = newMobile();
    const { id, code } = await held(rig, recipient);
    let twin: Awaited<ReturnType<ReturnType<typeof hookedFlow>['check']>> | undefined;
    const flow = hookedFlow(rig, async () => {
      twin = await flow.check(id, code, silent);
    });

    const first = await flow.check(id, code, silent);

    const after = (await rig.store.verifications().get(id))!;
    const records = await rig.store.byRecipient(recipient);
    expect(after.state).toBe('verified');
    expect(records.map((r) => r.id).sort()).toEqual([...after.recordIds].sort());
    expect(records).toHaveLength(2);
    expect(twin).toEqual({ kind: 'verified', ids: after.recordIds });
    expect(first).toEqual({ kind: 'verified', ids: after.recordIds });
  });

  it.runIf(kind.available)('wrong codes counted at once up to the limit, their lock not yet written: a right code after them is not compared, the verification locks', async () => {
    const rig = await startVerifyRig({ kind });
    rigs.push(rig);
    const recipient = newMobile();
    const { id, code } = await held(rig, recipient);
    const max = testConfig().verification.maxAttempts;
    // Concurrent guesses (PostgreSQL runs them truly at once): each counted, none has locked the row yet.
    for (let i = 0; i < max; i++) await rig.store.verifications().countAttempt(id);

    const flow = hookedFlow(rig, async () => {});
    expect(await flow.check(id, code, silent)).toEqual({ kind: 'ended', state: 'locked' });
    expect((await rig.store.verifications().get(id))!.state).toBe('locked');
    expect(await rig.store.byRecipient(recipient)).toEqual([]);
  });
});

