/**
 * Proof against a real collector (SQLite in a temp folder, through the integration harness) that
 * registers its consent texts and takes only consents to them (IYS_NOTICE_POLICY=require): the
 * widget's normal flow goes through, and the ledger names the registered text it matched.
 */
import { expect } from 'vitest';
import { startCollector, type RunningCollector } from '../../integration/collector-harness.ts';
import type { Config } from '../../../server/runtime/config.ts';
import { consentStandalone, eventually, events, open, recordEvents, statusBecomes, until, type Scenario, type ScenarioContext } from './scenario.ts';

const ADMIN = 'browser-proof-admin-token-0123456789';
const auth = { authorization: `Bearer ${ADMIN}` };

/** A real collector that allows the page's origin and refuses consents to unregistered texts. */
async function strictCollector(t: ScenarioContext, over: Partial<Config> = {}): Promise<RunningCollector> {
  return startCollector({ allowedOrigins: [t.server.origin], admin: { token: ADMIN }, noticePolicy: 'require', rateLimit: 0, ...over });
}

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
          expect.objectContaining({ noticeVersion: '2026-11', noticeMatch: 'matched', noticeRegistered: '2026-11' }),
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
          expect.objectContaining({ noticeVersion: '2026-01-01', noticeMatch: 'matched', noticeRegistered: '2026-01-01' }),
        ]);
      } finally {
        await collector.close();
      }
    },
  },
];
