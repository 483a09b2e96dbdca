/** Delivery: the outbox across navigations, network failures and retries, and refusals that are final. */
import { expect } from 'vitest';
import { parseTurkeyTime } from '../../../shared/turkey-time.ts';
import { startCollector } from '../../integration/collector-harness.ts';
import { startCountingProxy } from '../counting-proxy.ts';
import { box, consentStandalone, eventually, events, open, outbox, recordEvents, statusBecomes, until, type Scenario } from './scenario.ts';

const STANDALONE = `<iys-consent channels="MESAJ"></iys-consent>`;

/** Past the widget's first timed retry (3 s): a post that was going to be retried would be by now. */
const pastFirstRetry = () => new Promise((r) => setTimeout(r, 3_500));

export const DELIVERY_SCENARIOS: Scenario[] = [
  {
    name: 'the send survives a navigation right after the submit',
    async run(t) {
      await open(
        t.page,
        t.server.page(
          'navigate',
          `<form action="/thanks" method="post"><label>Telefon <input name="phone" type="tel"></label>
           <iys-consent recipient-field="phone" channels="MESAJ"></iys-consent><button>Kaydol</button></form>`,
        ),
      );
      await t.page.fill('input[name=phone]', '0532 123 45 67');
      await t.page.click(box('MESAJ'));
      await t.page.click('form button');
      await until(t.page, () => location.pathname === '/thanks');
      await eventually(() => t.server.posts.length).toBeGreaterThanOrEqual(1);
      expect(new Set(t.server.posts.map((p) => p.body.idempotencyKey)).size).toBe(1);
      expect(t.server.posts[0]!.body).toMatchObject({ recipient: '0532 123 45 67', channels: ['MESAJ'] });
    },
  },
  {
    name: 'collector out of reach: kept in the outbox, sent with the same idempotencyKey when the next page loads',
    async run(t) {
      const url = t.server.page('unreachable-reload', STANDALONE);
      await open(t.page, url);
      await recordEvents(t.page);
      t.server.reachable = false;
      await consentStandalone(t.page);
      await statusBecomes(t.page, 'Gönderilemedi.');
      expect(await events(t.page)).toContainEqual(['iys-error', { reason: 'network' }]);
      const [queued] = await outbox(t.page);
      expect(queued).toBeDefined();
      expect(t.server.posts).toHaveLength(0);
      expect(t.server.cut).toBeGreaterThanOrEqual(1);

      t.server.reachable = true;
      await open(t.page, url);
      await eventually(() => t.server.posts.length).toBeGreaterThanOrEqual(1);
      expect(t.server.posts.every((p) => p.body.idempotencyKey === queued!.body.idempotencyKey)).toBe(true);
      await until(t.page, () => localStorage.getItem('iys-consent-outbox') === '[]');
    },
  },
  {
    name: 'collector out of reach: sent with the same idempotencyKey when the device is back online',
    async run(t) {
      await open(t.page, t.server.page('unreachable-online', STANDALONE));
      t.server.reachable = false;
      await consentStandalone(t.page);
      await statusBecomes(t.page, 'Gönderilemedi.');
      const [queued] = await outbox(t.page);
      t.server.reachable = true;
      // What the browser fires when the device regains its network.
      await t.page.evaluate(() => void dispatchEvent(new Event('online')));
      await statusBecomes(t.page, 'Kaydedildi.');
      expect(t.server.posts.length).toBeGreaterThanOrEqual(1);
      expect(t.server.posts.every((p) => p.body.idempotencyKey === queued!.body.idempotencyKey)).toBe(true);
      expect(await outbox(t.page)).toEqual([]);
    },
  },
  {
    name: 'a collector that answers 503 gets the same consent again until it takes it',
    async run(t) {
      t.server.answerNext(503);
      await open(t.page, t.server.page('retry', STANDALONE));
      await consentStandalone(t.page);
      await statusBecomes(t.page, 'Kaydedildi.');
      expect(t.server.posts).toHaveLength(2);
      expect(t.server.posts[1]!.body.idempotencyKey).toBe(t.server.posts[0]!.body.idempotencyKey);
      expect(await outbox(t.page)).toEqual([]);
    },
  },
  ...([
    [422, 'invalid-consent'],
    [415, 'unsupported-media-type'],
  ] as const).map(
    ([status, code]): Scenario => ({
      name: `a ${status} is final: the reason is the collector's code (${code}), the outbox lets it go, nothing is sent again`,
      async run(t) {
        t.server.answerNext(status);
        const url = t.server.page(`refused-${status}`, STANDALONE);
        await open(t.page, url);
        await recordEvents(t.page);
        await consentStandalone(t.page);
        await statusBecomes(t.page, 'Gönderilemedi.');
        expect(await events(t.page)).toContainEqual(['iys-error', { reason: code }]);
        expect(await outbox(t.page)).toEqual([]);
        await pastFirstRetry();
        await open(t.page, url);
        expect(t.server.posts).toHaveLength(1);
      },
    }),
  ),
  {
    name: 'a resend 20 minutes later carries the original consentDate and a sentAt of its own',
    async run(t) {
      const url = t.server.page('later', STANDALONE);
      await open(t.page, url);
      t.server.reachable = false;
      await consentStandalone(t.page);
      await statusBecomes(t.page, 'Gönderilemedi.');
      // The person comes back 20 minutes later: the outbox entry is as it would be by then.
      const MIN20 = 20 * 60_000;
      const [queued] = await t.page.evaluate((ms) => {
        const stamp = (t: number) => new Date(t + 3 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
        const entries = JSON.parse(localStorage.getItem('iys-consent-outbox')!) as { at: number; body: { consentDate: string; idempotencyKey: string } }[];
        for (const e of entries) {
          e.at -= ms;
          e.body.consentDate = stamp(Date.parse(e.body.consentDate.replace(' ', 'T') + '+03:00') - ms);
        }
        localStorage.setItem('iys-consent-outbox', JSON.stringify(entries));
        return entries;
      }, MIN20);
      t.server.reachable = true;
      await open(t.page, url);
      await eventually(() => t.server.posts.length).toBeGreaterThanOrEqual(1);
      for (const { body } of t.server.posts) {
        expect(body.idempotencyKey).toBe(queued!.body.idempotencyKey);
        expect(body.consentDate).toBe(queued!.body.consentDate);
        const gap = parseTurkeyTime(String(body.sentAt))! - parseTurkeyTime(String(body.consentDate))!;
        expect(gap).toBeGreaterThanOrEqual(MIN20);
      }
      await until(t.page, () => localStorage.getItem('iys-consent-outbox') === '[]');
    },
  },
  {
    name: 'a real collector that does not list the page in IYS_ALLOWED_ORIGINS: origin-not-allowed, the outbox empty, no further posts',
    async run(t) {
      const collector = await startCollector({ allowedOrigins: ['https://shop.example'] });
      const proxy = await startCountingProxy(collector.url);
      try {
        const url = t.server.page('refused-origin', `<iys-consent channels="MESAJ" collector="${proxy.url}"></iys-consent>`);
        await open(t.page, url);
        await recordEvents(t.page);
        await consentStandalone(t.page);
        await statusBecomes(t.page, 'Gönderilemedi.');
        expect(await events(t.page)).toContainEqual(['iys-error', { reason: 'origin-not-allowed' }]);
        expect(await outbox(t.page)).toEqual([]);
        await pastFirstRetry();
        await open(t.page, url); // the next page load sends what the outbox holds: nothing
        await until(t.page, () => document.readyState === 'complete');
        expect(proxy.posts()).toBe(1);
        const refused = collector.logs.map((l) => JSON.parse(l) as { level: number; event?: string; origin?: string }).filter((l) => l.event === 'consent.origin-refused');
        expect(refused).toEqual([expect.objectContaining({ level: 40, origin: t.server.origin })]);
      } finally {
        await proxy.close();
        await collector.close();
      }
    },
  },
];
