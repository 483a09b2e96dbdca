/**
 * The compliance console end to end: the real collector (`npm start`: SQLite, the built-in sandbox)
 * with an admin token, real Chromium at /admin/. Sign-in (a wrong token first), the dashboard, a
 * recipient typed as `0532 123 45 67`, the audit report and its PDF, re-queue, the CSP and axe at a
 * desktop and a phone viewport. The steps build on each other, so they run in order.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { readPdf } from '../helpers/pdf.ts';
import { startDemo, type DemoProcess } from './demo-process.ts';

const TOKEN = 'console-browser-token-0123456789abcdef';
const PHONE = '+905321234567';
const MASKED = '+90532*****67';
const NOTICE_TEXT = 'Kampanya ve bilgilendirme iletileri için açık rıza metni.';
const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');
const DESKTOP = { width: 1280, height: 800 };
const PHONE_VIEW = { width: 390, height: 844 };
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

test.describe.configure({ mode: 'serial', timeout: 120_000 });
// The console follows the browser's language: a Turkish browser, as most of its users have.
test.use({ viewport: DESKTOP, locale: 'tr-TR' });

let demo: DemoProcess;
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
type Records = { records: Array<{ id: string; type: string; status: string; state: string }> };

async function records(recipient = '0532 123 45 67'): Promise<Records['records']> {
  const res = await fetch(`${demo.origin}/v1/consents?recipient=${encodeURIComponent(recipient)}`, { headers: auth });
  return ((await res.json()) as Records).records;
}
async function until(what: string, cond: () => Promise<boolean>): Promise<void> {
  await expect.poll(cond, { message: what, timeout: 45_000 }).toBe(true);
}
const sandbox = (body: unknown) => fetch(`${demo.origin}/sandbox/_sandbox/controls`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
const consent = (body: Record<string, unknown>) => fetch(`${demo.origin}/v1/consents`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (console test)' },
  body: JSON.stringify({ recipient: '0532 123 45 67', consentDate: turkeyNow(), ...body }),
});
function turkeyNow(offsetMs = 0): string {
  return new Date(Date.now() + offsetMs + 3 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  mkdirSync(ARTIFACTS, { recursive: true });
  demo = await startDemo({ timeoutMs: 150_000, env: { IYS_ADMIN_TOKEN: TOKEN } });
  // The notice text, registered; a consent by SMS and call with its evidence (that notice), registered;
  // then a withdrawal of SMS that İYS refuses.
  const registered = await fetch(`${demo.origin}/v1/admin/notices`, { method: 'POST', headers: auth, body: JSON.stringify({ version: '2026-11-01', lang: 'tr', text: NOTICE_TEXT }) });
  expect(registered.status).toBe(201);
  const { hash } = (await registered.json()) as { hash: string };
  const given = await consent({ channels: ['MESAJ', 'ARAMA'], notice: { version: '2026-11-01', hash, lang: 'tr' }, pageUrl: 'https://shop.example/kayit', widgetVersion: '0.1.0' });
  expect(given.status).toBe(202);
  await until('the consent registered', async () => (await records()).filter((r) => r.state === 'registered').length === 2);
  expect((await sandbox({ refuseRecipients: [PHONE] })).status).toBe(200);
  expect((await consent({ channels: ['MESAJ'], status: 'RET' })).status).toBe(202);
  await until('the withdrawal rejected', async () => (await records()).some((r) => r.status === 'RET' && r.state === 'rejected'));
  expect((await sandbox({ refuseRecipients: [] })).status).toBe(200);
  const others = ['0533 100 00 01', '0533 100 00 02', 'ayse@example.com'];
  for (const n of others) expect((await consent({ recipient: n, channels: [n.includes('@') ? 'EPOSTA' : 'MESAJ'] })).status).toBe(202);
  // Nothing left pending: the dashboard's list of waiting records is then exactly what a test puts there.
  for (const n of others) await until(`${n} registered`, async () => (await records(n)).every((r) => r.state === 'registered'));
});
test.afterAll(async () => {
  await demo?.stop();
});

/** Fails the test on any script error, refused request or CSP violation. */
async function watch(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  return problems;
}
async function axe(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes[0]?.target}`)).toEqual([]);
}
async function signIn(page: Page): Promise<void> {
  await page.goto(`${demo.origin}/admin/`);
  await page.getByLabel(/Yönetici anahtarı|Admin token/).fill(TOKEN);
  await page.getByLabel(/Yönetici anahtarı|Admin token/).press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: /Genel durum|Overview/ })).toBeVisible();
}

test('a wrong token: a clear message, no data, nothing kept; the API answers 401', async ({ page }) => {
  const problems = await watch(page);
  const res = await page.goto(`${demo.origin}/admin/`);
  expect(res!.headers()['content-security-policy']).toBe(CSP);
  expect(res!.headers()['x-content-type-options']).toBe('nosniff');
  expect(res!.headers()['referrer-policy']).toBe('no-referrer');
  const field = page.getByLabel('Yönetici anahtarı');
  await field.fill('wrong-token-0123456789');
  await page.getByRole('button', { name: 'Giriş' }).click();
  await expect(page.getByRole('alert')).toHaveText(/Anahtar yanlış/);
  await expect(page.getByRole('heading', { name: 'Genel durum' })).toHaveCount(0);
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  expect(await page.content()).not.toMatch(/\*{5}|Kaydedildi/);
  expect(page.url()).not.toContain('wrong-token');
  await axe(page);
  expect(problems).toEqual([]);
});

test('signed in by keyboard: the dashboard counts, charts and lists; the operator pauses and resumes sending', async ({ page }) => {
  const problems = await watch(page);
  await page.goto(`${demo.origin}/admin/`);
  for (let i = 0; i < 6 && (await page.evaluate(() => document.activeElement?.id)) !== 'token'; i++) await page.keyboard.press('Tab');
  await page.keyboard.type(TOKEN);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Genel durum' })).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem('iys-console-token'))).toBe(TOKEN);
  expect(page.url()).not.toContain(TOKEN);

  await page.getByRole('button', { name: 'Gönderimi durdur' }).click();
  await expect(page.getByText(/Gönderim operatör tarafından durduruldu/)).toBeVisible();
  // Records that wait while sending is paused: the dashboard lists them, masked, closest deadline first.
  const batch = await fetch(`${demo.origin}/v1/consents/batch`, {
    method: 'POST', headers: auth, body: JSON.stringify({ records: [
      { recipient: '0534 200 00 01', type: 'MESAJ', source: 'HS_CAGRI_MERKEZI', consentDate: turkeyNow(-50 * 3600_000) },
      { recipient: '0534 200 00 02', type: 'ARAMA', source: 'HS_ISLAK_IMZA', consentDate: turkeyNow(-30 * 3600_000) },
    ] }),
  });
  expect(batch.status).toBe(202);
  await page.reload();
  const nearest = page.getByRole('region', { name: /Son güne en yakın/ });
  await expect(nearest.getByRole('row')).toHaveCount(3);
  await expect(nearest.getByRole('row').nth(1)).toContainText('+90534*****01');
  await expect(page.getByRole('img', { name: /iletiMerkezi istekleri/ })).toBeVisible();
  await expect(page.locator('.count.state-registered .n')).not.toHaveText('0');
  // Read-back: `npm start` looks registered records up in İYS 2 s after registering them.
  const readback = page.getByRole('region', { name: "İYS'den geri okuma" });
  await expect(readback.getByText("İYS'de olup bizim göndermediğimiz kayıtlar")).toBeVisible();
  await expect.poll(async () => {
    await page.reload();
    return Number((await readback.locator('li', { hasText: "İYS'de doğrulandı" }).locator('.n').textContent())?.replace(/\D/g, ''));
  }, { message: 'records confirmed at İYS', timeout: 45_000 }).toBeGreaterThanOrEqual(2);
  await expect(readback).toContainText(/Son İYS sorgusu: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
  expect(await page.content()).not.toContain('5342000001');
  await page.screenshot({ path: join(ARTIFACTS, 'console-dashboard.png'), fullPage: true });
  await axe(page);

  await page.getByRole('button', { name: 'Gönderimi sürdür' }).click();
  await expect(page.getByText('Gönderim sürüyor.')).toBeVisible();
  await until('the waiting records registered', async () => (await records('0534 200 00 01')).every((r) => r.state === 'registered'));
  expect(problems).toEqual([]);
});

test('a recipient typed as 0532 123 45 67: per channel the timeline with evidence and İYS answers, masked until revealed', async ({ page }) => {
  const problems = await watch(page);
  await signIn(page);
  await page.getByRole('link', { name: 'Alıcı ara' }).click();
  await page.getByLabel('Telefon numarası veya e-posta adresi').fill('0532 123 45 67');
  await page.getByRole('button', { name: 'Ara' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Alıcı ${MASKED}` })).toBeVisible();
  expect(page.url()).toMatch(/#\/recipient\/[0-9A-Z]+$/);
  const sms = page.getByRole('region', { name: 'Kanal: MESAJ' });
  await expect(sms.getByRole('article')).toHaveCount(2);
  const given = sms.getByRole('article').first();
  await expect(given).toContainText('İzin verildi');
  await expect(given).toContainText('https://shop.example/kayit');
  await expect(given).toContainText('2026-11-01');
  await expect(given).toContainText('Mozilla/5.0 (console test)');
  await expect(given).toContainText('0532 *** ** 67');
  await expect(given.getByRole('table')).toContainText('İşlem başarılı');
  await expect(sms.getByRole('article').last()).toContainText('reddedildi');
  await expect(page.getByRole('region', { name: 'Kanal: ARAMA' }).getByRole('article')).toHaveCount(1);
  // Proof: the notice matched the registered version, whose text opens from the record; read-back: confirmed at İYS.
  await expect(given).toContainText('eşleşti: sürüm 2026-11-01');
  await given.getByText('Kayıtlı metin (sürüm 2026-11-01, tr)').click();
  await expect(given.getByText(NOTICE_TEXT)).toBeVisible();
  await expect(given).toContainText("İYS'de doğrulandı");
  await expect(page.getByRole('region', { name: 'Kanal: ARAMA' })).toContainText(/İYS'de doğrulandı: \d{4}-\d{2}-\d{2}/);
  expect(await page.content()).not.toContain('5321234567');
  await page.screenshot({ path: join(ARTIFACTS, 'console-recipient.png'), fullPage: true });
  await axe(page);

  await page.getByRole('button', { name: 'Tam numarayı göster' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Alıcı ${PHONE}` })).toBeVisible();
  await expect(given).toContainText('0532 123 45 67');
  await page.getByRole('button', { name: 'Gizle' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Alıcı ${MASKED}` })).toBeVisible();
  expect(demo.output()).toContain('"event":"admin.reveal"');
  expect(demo.output()).not.toContain(PHONE);
  expect(problems).toEqual([]);
});

test("a citizen's RET made through İYS: verified on demand, it shows as an observed record with İYS's source", async ({ page }) => {
  const problems = await watch(page);
  const who = '0533 100 00 01';
  const change = await fetch(`${demo.origin}/sandbox/_sandbox/changes`, {
    method: 'POST', headers: auth, body: JSON.stringify({ origin: 'citizen', recipient: who, recipientType: 'BIREYSEL', type: 'MESAJ', status: 'RET', source: 'IYS_3338' }),
  });
  expect(change.status, await change.clone().text()).toBe(201);
  expect((await fetch(`${demo.origin}/v1/consents?recipient=${encodeURIComponent(who)}&verify=1`, { headers: auth })).status).toBe(200);
  await signIn(page);
  await expect(page.getByRole('region', { name: "İYS'den geri okuma" }).locator('li', { hasText: 'Vatandaş (IYS_' }).locator('.n')).toHaveText('1');
  await page.getByRole('link', { name: 'Alıcı ara' }).click();
  await page.getByLabel('Telefon numarası veya e-posta adresi').fill(who);
  await page.getByRole('button', { name: 'Ara' }).click();
  const sms = page.getByRole('region', { name: 'Kanal: MESAJ' });
  const observed = sms.getByRole('article').filter({ hasText: "İYS'de görülen, bizim göndermediğimiz kayıt" });
  await expect(observed).toContainText('IYS_3338');
  await expect(observed).toContainText('creationDate');
  await expect(sms.getByRole('article').first()).toContainText("İYS'de daha yeni bir kayıt var");
  await expect(sms).toContainText('bizim göndermediğimiz bir kayıt (IYS_3338)');
  await axe(page);
  expect(problems).toEqual([]);
});

test('the notice registry: register a text by keyboard, see the versions with the records that matched each', async ({ page }) => {
  const problems = await watch(page);
  await signIn(page);
  await page.getByRole('link', { name: 'Onay metinleri' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Onay metinleri' })).toBeVisible();
  const list = page.getByRole('region', { name: 'Kayıtlı sürümler' });
  // The consent of 0532 123 45 67 (MESAJ and ARAMA) matched 2026-11-01.
  await expect(list.getByRole('row', { name: /2026-11-01/ }).getByRole('cell').nth(4)).toHaveText('2');
  await page.getByLabel('Sürüm', { exact: true }).fill('2026-12-01');
  await page.getByLabel('Dil', { exact: true }).selectOption('en');
  await page.getByLabel('Metin', { exact: true }).fill('Consent to campaign messages.');
  await page.getByLabel('Metin', { exact: true }).press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toContainText('2026-12-01 (en) kaydedildi');
  const added = list.getByRole('row', { name: /2026-12-01/ });
  await expect(added.getByRole('cell').nth(4)).toHaveText('0');
  await added.getByRole('button', { name: /Metni göster/ }).click();
  await expect(added).toContainText('Consent to campaign messages.');
  await axe(page);
  expect(problems).toEqual([]);
});

test('the audit report: a print-ready page and a PDF with the masked recipient, Turkey-time dates and the hash shown', async ({ page }) => {
  const problems = await watch(page);
  await signIn(page);
  await page.goto(`${demo.origin}/admin/#/recipient`);
  await page.getByLabel('Telefon numarası veya e-posta adresi').fill('+90 532 123 45 67');
  await page.getByRole('button', { name: 'Ara' }).click();
  await page.getByRole('link', { name: 'Denetim raporu' }).click();
  const hash = (await page.locator('#report-hash').textContent())!.trim();
  expect(hash).toMatch(/^[0-9a-f]{64}$/);
  const dates = await page.locator('.report-record h3').allTextContents();
  const consentDates = dates.map((d) => /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.exec(d)![0]);
  expect(consentDates.length).toBeGreaterThanOrEqual(3);
  await expect(page.getByRole('region', { name: 'Kayıtlı onay metinleri' })).toContainText(NOTICE_TEXT);
  await expect(page.locator('.report-record').first()).toContainText('eşleşti: sürüm 2026-11-01');
  await axe(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'PDF indir' }).click()]);
  const pdf = await readPdf(readFileSync((await download.path())!));
  expect(pdf.text).toContain(MASKED);
  for (const d of consentDates) expect(pdf.text).toContain(d);
  expect(pdf.text).toContain('Kayıtlı onay metinleri');
  expect(pdf.text.replace(/\s+/g, ' ')).toContain(NOTICE_TEXT);
  expect(pdf.text).toContain(hash);
  expect(pdf.text).not.toContain('5321234567');
  expect(problems).toEqual([]);
});

test('re-queue the rejected withdrawal and watch it register', async ({ page }) => {
  const problems = await watch(page);
  await signIn(page);
  const rejected = (await records()).find((r) => r.status === 'RET' && r.state === 'rejected')!;
  await page.goto(`${demo.origin}/admin/#/recipient/${rejected.id}`);
  const ret = page.getByRole('region', { name: 'Kanal: MESAJ' }).getByRole('article').filter({ hasText: 'reddedildi' });
  await ret.getByRole('button', { name: 'Yeniden kuyruğa al' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Onayla' }).click();
  await expect(page.getByRole('status')).toContainText('Yeniden kuyruğa alındı');
  const again = page.getByRole('region', { name: 'Kanal: MESAJ' }).getByRole('article').filter({ hasText: `${rejected.id} kaydının yeniden kuyruğa alınmışı` });
  await expect(again).toContainText('kaydedildi', { timeout: 45_000 });
  await expect(ret).toContainText('olarak yeniden kuyruğa alındı');
  expect(problems).toEqual([]);
});

test('at a phone-sized viewport: readable, no sideways scrolling, axe-clean', async ({ page }) => {
  await page.setViewportSize(PHONE_VIEW);
  const problems = await watch(page);
  await signIn(page);
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  expect(await fits()).toBe(true);
  await axe(page);
  await page.getByRole('link', { name: 'Alıcı ara' }).click();
  await page.getByLabel('Telefon numarası veya e-posta adresi').fill('0532 123 45 67');
  await page.getByRole('button', { name: 'Ara' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Alıcı ${MASKED}` })).toBeVisible();
  expect(await fits()).toBe(true);
  await axe(page);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Recipient ${MASKED}` })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
  expect(problems).toEqual([]);
});
