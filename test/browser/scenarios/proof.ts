/**
 * Proof against a real collector (SQLite in a temp folder, through the integration harness) that
 * registers its consent texts and takes only consents to them (IYS_NOTICE_POLICY=require), and only
 * with a signed form token (IYS_FORM_TOKEN_SECRET, no post without Origin): the widget's normal flow
 * goes through without one refusal, and the ledger names the registered text it matched and the
 * token's age.
 */
import { expect } from 'vitest';
import { startCollector, type RunningCollector } from '../../integration/collector-harness.ts';
import type { Config } from '../../../server/runtime/config.ts';
import { box, consentStandalone, eventually, events, open, recordEvents, statusBecomes, until, type Scenario, type ScenarioContext } from './scenario.ts';

const ADMIN = 'browser-proof-admin-token-0123456789';
const auth = { authorization: `Bearer ${ADMIN}` };

/** A real collector that allows the page's origin, refuses consents to unregistered texts and wants form tokens. */
async function strictCollector(t: ScenarioContext, over: Partial<Config> = {}): Promise<RunningCollector> {
  return startCollector({
    allowedOrigins: [t.server.origin], admin: { token: ADMIN }, noticePolicy: 'require', rateLimit: 0,
    formToken: { key: 'browser-proof-form-token-secret-0123456789', ttlS: 600 }, allowNoOrigin: false, ...over,
  });
}

type Line = { msg?: string; event?: string; path?: string; status?: number; method?: string };
const lines = (collector: RunningCollector) => collector.logs.map((l) => JSON.parse(l) as Line);
/** Every answer of the collector that was not a success: the widget's normal flow must see none. */
const refusals = (collector: RunningCollector) => lines(collector).filter((l) => l.status !== undefined && l.status >= 400);
const tokenRequests = (collector: RunningCollector) => lines(collector).filter((l) => l.path === '/v1/form-token' && l.status === 200).length;

async function register(collector: RunningCollector, version: string, text: string): Promise<void> {
  const res = await fetch(`${collector.url}/v1/admin/notices`, {
    method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ version, lang: 'tr', text }),
  });
  expect(res.status).toBe(201);
}

async function evidenceOf(collector: RunningCollector, recipient: string): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${collector.url}/v1/consents?recipient=${encodeURIComponent(recipient)}`, { headers: auth });
  return ((await res.json()) as { records: Array<{ evidence: Record<string, unknown> }> }).records.map((r) => r.evidence);
}

export const PROOF_SCENARIOS: Scenario[] = [
  {
    name: 'notice="VERSION": the widget shows the registered text from a real collector, and its consent matches it (IYS_NOTICE_POLICY=require)',
    async run(t) {
      const collector = await strictCollector(t);
      try {
        const text = 'Örnek Mağaza tarafından tarafıma SMS yoluyla kampanya ve duyuru iletisi gönderilmesine onay veriyorum.';
        await register(collector, '2026-11', `${text}\n`);
        await open(t.page, t.server.page('registered-notice', `<iys-consent channels="MESAJ" notice="2026-11" collector="${collector.url}"></iys-consent>`));
        await until(t.page, (want) => document.querySelector('iys-consent')!.shadowRoot!.querySelector('#n')!.textContent!.includes(want), text);
        await recordEvents(t.page);
        await consentStandalone(t.page);
        await statusBecomes(t.page, 'Kaydedildi.');
        expect((await events(t.page)).filter((e) => (e as string[])[0] === 'iys-error')).toEqual([]);
        await eventually(async () => evidenceOf(collector, '0532 123 45 67')).toEqual([
          expect.objectContaining({ noticeVersion: '2026-11', noticeMatch: 'matched', noticeRegistered: '2026-11', formTokenAgeMs: expect.any(Number) }),
        ]);
        expect(refusals(collector)).toEqual([]);
      } finally {
        await collector.close();
      }
    },
  },
  {
    name: 'notice="VERSION" not registered: the widget shows its own sentences and posts them under its own version with their hash, never a version without a text',
    async run(t) {
      const collector = await strictCollector(t, { noticePolicy: 'record' });
      try {
        await open(t.page, t.server.page('unregistered-notice', `<iys-consent channels="MESAJ" notice="2099-none" brand="Örnek Mağaza" collector="${collector.url}"></iys-consent>`));
        const shown = await t.page.evaluate(() => document.querySelector('iys-consent')!.shadowRoot!.querySelector('.c')!.textContent);
        expect(shown).toContain('Örnek Mağaza tarafından tarafıma SMS yoluyla ticari elektronik ileti gönderilmesine onay veriyorum.');
        await consentStandalone(t.page);
        await statusBecomes(t.page, 'Kaydedildi.');
        await eventually(async () => evidenceOf(collector, '0532 123 45 67')).toEqual([
          expect.objectContaining({ noticeVersion: '2026-01-01', noticeHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }),
        ]);
      } finally {
        await collector.close();
      }
    },
  },
  {
    name: "the widget's own sentences, registered as the operator copied them, match the hash it posts (IYS_NOTICE_POLICY=require)",
    async run(t) {
      const collector = await strictCollector(t);
      try {
        // Legend, then each channel's sentence: what the widget shows and hashes, as text with its own line breaks.
        await register(collector, '2026-01-01', `Ticari elektronik ileti izni
          Örnek Mağaza tarafından tarafıma SMS yoluyla ticari elektronik ileti gönderilmesine onay veriyorum.
          Örnek Mağaza tarafından tarafıma telefon araması yoluyla ticari elektronik ileti gönderilmesine onay veriyorum.`);
        await open(t.page, t.server.page('own-notice', `<iys-consent channels="MESAJ ARAMA" brand="Örnek Mağaza" collector="${collector.url}"></iys-consent>`));
        await recordEvents(t.page);
        await consentStandalone(t.page);
        await statusBecomes(t.page, 'Kaydedildi.');
        await eventually(async () => evidenceOf(collector, '0532 123 45 67')).toEqual([
          expect.objectContaining({ noticeVersion: '2026-01-01', noticeMatch: 'matched', noticeRegistered: '2026-01-01', formTokenAgeMs: expect.any(Number) }),
        ]);
        expect(refusals(collector)).toEqual([]);
      } finally {
        await collector.close();
      }
    },
  },
  {
    name: "form tokens: the second widget's consent carries a token from when the page was shown, so its age is the person's time on the page, not the moments since the first consent",
    async run(t) {
      const collector = await strictCollector(t, { noticePolicy: 'record' });
      try {
        await open(t.page, t.server.page('token-age', `<iys-consent id="a" channels="MESAJ" collector="${collector.url}"></iys-consent>
          <iys-consent id="b" channels="ARAMA" collector="${collector.url}"></iys-consent>`));
        // The person reads the page for a while (at least 1.5 s), then fills both forms one after the other.
        await new Promise((r) => setTimeout(r, 1_500));
        await t.page.fill('#a >>> #r input', '0532 123 45 71');
        await t.page.click(box('MESAJ', '#a'));
        await t.page.click('#a >>> button');
        await statusBecomes(t.page, 'Kaydedildi.', '#a');
        await t.page.fill('#b >>> #r input', '0532 123 45 72');
        await t.page.click(box('ARAMA', '#b'));
        await t.page.click('#b >>> button');
        await statusBecomes(t.page, 'Kaydedildi.', '#b');
        const ages = await Promise.all(['0532 123 45 71', '0532 123 45 72'].map(async (r) => Number((await evidenceOf(collector, r))[0]!.formTokenAgeMs)));
        const [a, b] = [ages[0]!, ages[1]!];
        expect(a).toBeGreaterThanOrEqual(1_500);
        expect(b).toBeGreaterThanOrEqual(1_500);
        expect(b).toBeGreaterThan(a);
      } finally {
        await collector.close();
      }
    },
  },
  {
    name: 'form tokens: two widgets on one page each send with a token of their own, and one left open past its token\'s lifetime sends with a fresh one, never refused',
    async run(t) {
      // A 5-second lifetime (the setting's floor is a minute; the test sets it directly) to cross it while the page is open.
      const collector = await strictCollector(t, { noticePolicy: 'record', formToken: { key: 'browser-proof-form-token-secret-0123456789', ttlS: 5 } });
      try {
        await open(t.page, t.server.page('tokens', `<iys-consent id="a" channels="MESAJ" collector="${collector.url}"></iys-consent>
          <iys-consent id="b" channels="ARAMA" collector="${collector.url}"></iys-consent>`));
        await recordEvents(t.page);
        await t.page.fill('#a >>> #r input', '0532 123 45 67');
        await t.page.click(box('MESAJ', '#a'));
        await t.page.click('#a >>> button');
        await statusBecomes(t.page, 'Kaydedildi.', '#a');
        await t.page.fill('#b >>> #r input', '0532 123 45 68');
        await t.page.click(box('ARAMA', '#b'));
        await t.page.click('#b >>> button');
        await statusBecomes(t.page, 'Kaydedildi.', '#b');
        // Past the lifetime of every token fetched so far: the widget has fetched newer ones meanwhile.
        const fetched = tokenRequests(collector);
        await new Promise((r) => setTimeout(r, 6_000));
        expect(tokenRequests(collector)).toBeGreaterThan(fetched);
        await t.page.fill('#a >>> #r input', '0532 123 45 69');
        await t.page.click('#a >>> button');
        await until(t.page, () => (window as unknown as { seen: unknown[][] }).seen.filter((e) => e[0] === 'iys-sent').length === 3);
        expect((await events(t.page)).filter((e) => (e as string[])[0] === 'iys-error')).toEqual([]);
        expect(refusals(collector)).toEqual([]);
        const ages = (await Promise.all(['0532 123 45 67', '0532 123 45 68', '0532 123 45 69'].map((r) => evidenceOf(collector, r)))).flat().map((e) => e.formTokenAgeMs);
        expect(ages).toHaveLength(3);
        expect(ages.every((a) => typeof a === 'number' && a >= 0 && a <= 5_000)).toBe(true);
      } finally {
        await collector.close();
      }
    },
  },
];
