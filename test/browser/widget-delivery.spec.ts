import { expect, test, type Page } from '@playwright/test';
import { parseTurkeyTime } from '../../shared/turkey-time.ts';
import { startWidgetServer, type WidgetServer } from './widget-server.ts';

let server: WidgetServer;
test.beforeAll(async () => {
  server = await startWidgetServer();
});
test.afterAll(async () => server.close());
test.beforeEach(() => {
  server.posts.length = 0;
});

const outbox = (page: Page) =>
  page.evaluate(() => JSON.parse(localStorage.getItem('iys-consent-outbox') || '[]') as { body: { idempotencyKey: string; consentDate: string } }[]);

async function consentStandalone(page: Page): Promise<void> {
  await page.getByRole('textbox', { name: 'Telefon numarası' }).fill('0532 123 45 67');
  await page.getByRole('checkbox', { name: /SMS yoluyla/ }).check();
  await page.getByRole('button', { name: 'İzni kaydet' }).click();
}

test('the send survives a navigation right after the submit', async ({ page }) => {
  await page.goto(
    server.page(
      'navigate',
      `<form action="/thanks" method="post"><label>Telefon <input name="phone" type="tel"></label>
       <iys-consent recipient-field="phone" channels="MESAJ"></iys-consent><button>Kaydol</button></form>`,
    ),
  );
  await page.getByRole('textbox', { name: 'Telefon', exact: true }).fill('0532 123 45 67');
  await page.getByRole('checkbox', { name: /SMS yoluyla/ }).check();
  await page.getByRole('button', { name: 'Kaydol' }).click();
  await page.waitForURL(/\/thanks$/);
  await expect.poll(() => server.posts.length).toBeGreaterThanOrEqual(1);
  expect(new Set(server.posts.map((p) => p.body.idempotencyKey)).size).toBe(1);
  expect(server.posts[0]!.body).toMatchObject({ recipient: '+905321234567', channels: ['MESAJ'] });
});

test('offline: kept in the outbox, sent with the same idempotencyKey when the next page loads', async ({ page, context }) => {
  const url = server.page('offline-reload', `<iys-consent channels="MESAJ"></iys-consent>`);
  await page.goto(url);
  await page.evaluate(() => document.addEventListener('iys-error', (e) => ((window as unknown as { reason: string }).reason = (e as CustomEvent).detail.reason)));
  await context.setOffline(true);
  await consentStandalone(page);
  await expect(page.getByRole('status')).toHaveText('Gönderilemedi.');
  expect(await page.evaluate(() => (window as unknown as { reason: string }).reason)).toBe('network');
  const [queued] = await outbox(page);
  expect(queued).toBeDefined();
  expect(server.posts).toHaveLength(0);
  await page.close();

  await context.setOffline(false);
  const next = await context.newPage();
  await next.goto(url);
  await expect.poll(() => server.posts.length).toBeGreaterThanOrEqual(1);
  expect(server.posts.every((p) => p.body.idempotencyKey === queued!.body.idempotencyKey)).toBe(true);
  await expect.poll(() => outbox(next)).toEqual([]);
});

test('offline: sent with the same idempotencyKey as soon as the device is back online', async ({ page, context }) => {
  await page.goto(server.page('offline-online', `<iys-consent channels="MESAJ"></iys-consent>`));
  await context.setOffline(true);
  await consentStandalone(page);
  await expect(page.getByRole('status')).toHaveText('Gönderilemedi.');
  const [queued] = await outbox(page);
  await context.setOffline(false);
  await expect(page.getByRole('status')).toHaveText('Kaydedildi.');
  expect(server.posts.length).toBeGreaterThanOrEqual(1);
  expect(server.posts.every((p) => p.body.idempotencyKey === queued!.body.idempotencyKey)).toBe(true);
  expect(await outbox(page)).toEqual([]);
});

test('a collector that answers 503 gets the same consent again until it takes it', async ({ page }) => {
  server.answerNext(503);
  await page.goto(server.page('retry', `<iys-consent channels="MESAJ"></iys-consent>`));
  await consentStandalone(page);
  await expect(page.getByRole('status')).toHaveText('Kaydedildi.', { timeout: 30_000 });
  expect(server.posts).toHaveLength(2);
  expect(server.posts[1]!.body.idempotencyKey).toBe(server.posts[0]!.body.idempotencyKey);
  expect(await outbox(page)).toEqual([]);
});

test('a refused consent (4xx) leaves the outbox: resending would fail the same way', async ({ page }) => {
  server.answerNext(422);
  await page.goto(server.page('refused', `<iys-consent channels="MESAJ"></iys-consent>`));
  await consentStandalone(page);
  await expect(page.getByRole('status')).toHaveText('Gönderilemedi.');
  await expect.poll(() => outbox(page)).toEqual([]);
  await page.reload();
  await expect(page.getByRole('checkbox')).toBeVisible();
  expect(server.posts).toHaveLength(1);
});

test('a resend after 20 minutes offline carries the original consentDate and a sentAt of its own', async ({ page, context }) => {
  const url = server.page('offline-later', `<iys-consent channels="MESAJ"></iys-consent>`);
  await page.goto(url);
  await context.setOffline(true);
  await consentStandalone(page);
  await expect(page.getByRole('status')).toHaveText('Gönderilemedi.');
  const [queued] = await outbox(page);
  expect(parseTurkeyTime(queued!.body.consentDate)).toBeDefined();
  await page.close();

  // The person comes back 20 minutes later: the page's clock says so.
  await context.setOffline(false);
  const later = await context.newPage();
  await later.clock.setFixedTime(parseTurkeyTime(queued!.body.consentDate)! + 20 * 60_000 + 3_000);
  await later.goto(url);
  await expect.poll(() => server.posts.length).toBeGreaterThanOrEqual(1);
  for (const { body } of server.posts) {
    expect(body.idempotencyKey).toBe(queued!.body.idempotencyKey);
    expect(body.consentDate).toBe(queued!.body.consentDate);
    const gap = parseTurkeyTime(String(body.sentAt))! - parseTurkeyTime(String(body.consentDate))!;
    expect(gap).toBeGreaterThanOrEqual(20 * 60_000);
  }
  await expect.poll(() => outbox(later)).toEqual([]);
});
