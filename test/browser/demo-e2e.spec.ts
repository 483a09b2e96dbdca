/**
 * The demo end to end: `node scripts/start.mjs` (what `npm start` runs) as a child process, real
 * Chromium on its pages, the built-in İYS sandbox checked through its own state endpoint.
 * The steps build on each other (sign up → withdraw → misbehave → stop), so they run in order.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { formatTurkeyTime, parseTurkeyTime } from '../../shared/turkey-time.ts';
import { startDemo, type DemoProcess } from './demo-process.ts';

const PHONE_TYPED = '0532 123 45 67';
const PHONE = '+905321234567';
const PHONE_MASKED = '+90532*****67';
const BAD_MASKED = '+90532*****00'; // the record the misbehave switch plants (DEMO_BAD_RECIPIENT)
const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');
const VIEWPORT = { width: 1200, height: 800 };

type SandboxRecord = { recipient: string; type: string; status: string; source: string; consentDate: string; requestNo: number };

test.describe.configure({ mode: 'serial', timeout: 120_000 });
test.use({ viewport: VIEWPORT });

let demo: DemoProcess;
let exitCode: number | null | undefined;

test.beforeAll(async () => {
  test.setTimeout(180_000); // may build the widget first
  mkdirSync(ARTIFACTS, { recursive: true });
  demo = await startDemo({ timeoutMs: 150_000 });
});
test.afterAll(async () => {
  if (demo && exitCode === undefined) await demo.stop();
});

/** Fails the test on any script error or CSP refusal: the pages must work under their strict policy. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  return errors;
}

async function sandboxRecords(): Promise<SandboxRecord[]> {
  const res = await fetch(`${demo.origin}/sandbox/_sandbox/state`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { records: SandboxRecord[] }).records;
}

const rows = (page: Page, text: string) => page.locator('#records tbody tr', { hasText: text });

test('sign-up: the phone and call consents go registered, shown masked, and reach the sandbox as İYS wants them', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(`${demo.origin}/`);
  await page.getByLabel('Ad Soyad').fill('Ayşe Yılmaz');
  await page.getByLabel('Cep telefonu').pressSequentially(PHONE_TYPED);
  await page.getByRole('checkbox', { name: /SMS yoluyla/ }).check();
  await page.getByRole('checkbox', { name: /telefon araması yoluyla/ }).check();
  await expect(page.getByRole('checkbox', { name: /e-posta yoluyla/ })).not.toBeChecked();
  await page.screenshot({ path: join(ARTIFACTS, 'demo-signup.png') });
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

  const clickedAt = Date.now();
  await page.getByRole('button', { name: 'Kaydol' }).click();
  await expect(page.locator('#result')).toHaveText(/İzin kaydedildi \(2 kayıt\)/, { timeout: 30_000 });
  await page.waitForURL('**/demo/ledger.html', { timeout: 30_000 });

  const mine = rows(page, PHONE_MASKED);
  await expect(mine.and(page.locator('[data-state="registered"]'))).toHaveCount(2, { timeout: 45_000 });
  await expect(mine.and(page.locator('[data-type="MESAJ"][data-status="ONAY"]'))).toHaveCount(1);
  await expect(mine.and(page.locator('[data-type="ARAMA"][data-status="ONAY"]'))).toHaveCount(1);
  await expect(mine.first()).toContainText('HS_WEB');
  for (const row of await mine.all()) await expect(row.locator('td').nth(5)).toHaveText('1'); // one request each, the sandbox being calm
  await expect(mine.first()).toContainText('kaydedildi');
  const html = await page.content();
  expect(html).not.toContain(PHONE);
  expect(html).not.toContain('5321234567');

  const held = (await sandboxRecords()).filter((r) => r.recipient === PHONE);
  expect(held.map((r) => r.type).sort()).toEqual(['ARAMA', 'MESAJ']);
  const clickTurkey = parseTurkeyTime(formatTurkeyTime(clickedAt))!;
  for (const r of held) {
    expect(r).toMatchObject({ status: 'ONAY', source: 'HS_WEB' });
    const at = parseTurkeyTime(r.consentDate);
    expect(at, `consentDate ${r.consentDate} is Turkey time`).toBeDefined();
    expect(Math.abs(at! - clickTurkey), `consentDate ${r.consentDate} vs click ${formatTurkeyTime(clickedAt)}`).toBeLessThanOrEqual(5_000);
  }
  expect(errors).toEqual([]);
});

test('withdraw SMS: a RET record for MESAJ is registered, and the sandbox holds it after the ONAY', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(`${demo.origin}/demo/withdraw.html`);
  await page.getByLabel('Cep telefonu').pressSequentially(PHONE_TYPED);
  await page.getByRole('checkbox', { name: /SMS yoluyla/ }).check();
  await page.getByRole('button', { name: 'Geri al', exact: true }).click();
  await expect(page.locator('#result')).toHaveText(/Geri alma kaydedildi \(1 kayıt\)/, { timeout: 30_000 });
  await page.waitForURL('**/demo/ledger.html', { timeout: 30_000 });

  const ret = rows(page, PHONE_MASKED).and(page.locator('[data-type="MESAJ"][data-status="RET"]'));
  await expect(ret).toHaveCount(1);
  await expect(ret).toHaveAttribute('data-state', 'registered', { timeout: 45_000 });

  const sms = (await sandboxRecords()).filter((r) => r.recipient === PHONE && r.type === 'MESAJ');
  expect(sms.map((r) => r.status)).toEqual(['ONAY', 'RET']);
  expect(sms[1]!.requestNo).toBeGreaterThan(sms[0]!.requestNo);
  expect(sms[1]!.source).toBe('HS_WEB');
  expect(errors).toEqual([]);
});

test('the misbehave switch: the planted record ends rejected with a reason, the other nine of the burst registered', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(`${demo.origin}/demo/ledger.html`);
  await expect(rows(page, PHONE_MASKED)).toHaveCount(3);
  await page.getByRole('button', { name: 'Sonraki kaydı reddet (422)' }).click();
  await expect(page.locator('#mode')).toContainText('422');

  const bad = rows(page, BAD_MASKED);
  await expect(bad).toHaveCount(1);
  await expect(bad).toHaveAttribute('data-state', 'rejected', { timeout: 60_000 });
  await expect(bad.locator('td.note').first()).not.toBeEmpty();
  await expect(bad).toContainText('reddedildi');
  await expect(bad).toContainText('demo: sandbox bu uydurma numarayı reddediyor');

  const good = page.locator('#records tbody tr', { hasText: /\+90533\*{5}0\d/ });
  await expect(good).toHaveCount(9);
  await expect(good.and(page.locator('[data-state="registered"]'))).toHaveCount(9, { timeout: 60_000 });
  // The requests table shows the refused request and the ones that went through.
  await expect(page.locator('#requests tbody td.bad', { hasText: '422' }).first()).toBeVisible();
  await page.screenshot({ path: join(ARTIFACTS, 'demo-ledger.png') });
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

  const held = await sandboxRecords();
  expect(held.some((r) => r.recipient === '+905320000000')).toBe(false);
  expect(held.filter((r) => /^\+90533\d{5}0\d$/.test(r.recipient))).toHaveLength(9);
  expect(errors).toEqual([]);
});

test('back to normal, e-mail and a second call consent for the same number: e-mail registered, the call refused (ONAY after ONAY) and the ledger says why', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(`${demo.origin}/demo/ledger.html`);
  await page.getByRole('button', { name: 'Normal', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Normal', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('button', { name: 'Sonraki kaydı reddet (422)' })).toHaveAttribute('aria-pressed', 'false');

  await page.goto(`${demo.origin}/`);
  await page.getByLabel('Ad Soyad').fill('Ayşe Yılmaz');
  await page.getByLabel('Cep telefonu').pressSequentially(PHONE_TYPED);
  await page.getByRole('checkbox', { name: /telefon araması yoluyla/ }).check();
  await page.getByLabel('E-posta', { exact: true }).fill('ayse@example.com');
  await page.getByRole('checkbox', { name: /e-posta yoluyla/ }).check();
  await page.getByRole('button', { name: 'Kaydol' }).click();
  // Two widgets sent: the page waits for both acknowledgements before it moves on.
  await expect(page.locator('#result')).toHaveText(/İzin kaydedildi \(2 kayıt\)/, { timeout: 30_000 });
  await page.waitForURL('**/demo/ledger.html', { timeout: 30_000 });

  const email = rows(page, 'a***@example.com');
  await expect(email).toHaveAttribute('data-type', 'EPOSTA');
  await expect(email).toHaveAttribute('data-state', 'registered', { timeout: 45_000 });
  expect(await page.content()).not.toContain('ayse@example.com');

  const calls = rows(page, PHONE_MASKED).and(page.locator('[data-type="ARAMA"]'));
  await expect(calls).toHaveCount(2);
  const second = calls.first(); // newest first
  await expect(second).toHaveAttribute('data-state', 'rejected', { timeout: 45_000 });
  await expect(second).toContainText('ONAY ardından ONAY');
  await expect(calls.last()).toHaveAttribute('data-state', 'registered');
  expect((await sandboxRecords()).filter((r) => r.recipient === PHONE && r.type === 'ARAMA')).toHaveLength(1);
  expect(errors).toEqual([]);
});

test('read-back: a registered record shows İYS\'s confirmation, and a citizen\'s RET made in the sandbox appears as an observed record', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(`${demo.origin}/demo/ledger.html`);
  const email = rows(page, 'a***@example.com');
  // npm start confirms two seconds after registration (IYS_CONFIRM_DELAY_MS 2000).
  await expect(email.locator('td.iys')).toContainText("İYS'de doğrulandı", { timeout: 30_000 });
  await email.getByRole('button', { name: /vatandaş İYS'ye RET gönderir/ }).click();
  await expect(page.locator('#mode')).toContainText("Vatandaş İYS'ye RET gönderdi");
  const observed = email.and(page.locator('[data-status="RET"]'));
  await expect(observed).toHaveCount(1, { timeout: 30_000 });
  await expect(observed).toContainText('IYS_3338');
  await expect(observed.locator('td.iys')).toContainText('collector göndermedi');
  await expect(email.and(page.locator('[data-status="ONAY"]')).locator('td.iys')).toContainText('daha yeni bir kayıt');
  expect((await sandboxRecords()).filter((r) => r.recipient === 'ayse@example.com').map((r) => `${r.status} ${r.source}`)).toEqual(['ONAY HS_WEB', 'RET IYS_3338']);
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  await page.screenshot({ path: join(ARTIFACTS, 'demo-readback.png') });
  expect(errors).toEqual([]);
});

test('SMS-coded consent: the demo phone shows the code, and the consent reaches the sandbox only after it is typed', async ({ page }) => {
  const errors = watchErrors(page);
  const phone = '+905351112233';
  await page.goto(`${demo.origin}/demo/verify.html`);
  await page.getByLabel('Telefon numarası').pressSequentially('0535 111 22 33');
  await page.getByRole('checkbox', { name: /SMS yoluyla/ }).check();
  await page.getByRole('button', { name: 'İzni kaydet' }).click();
  const codeInput = page.getByLabel('Doğrulama kodu');
  await expect(codeInput).toBeFocused();
  const sms = page.locator('#sms li').first();
  await expect(sms).toContainText('doğrulama kodunuz');
  await expect(sms).toContainText('+90535*****33');
  const code = /\b\d{6}\b/.exec((await sms.textContent()) ?? '')![0];
  expect((await sandboxRecords()).filter((r) => r.recipient === phone)).toEqual([]);
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  await page.screenshot({ path: join(ARTIFACTS, 'demo-verify.png') });

  await codeInput.fill(code);
  await page.getByRole('button', { name: 'Onayla' }).click();
  await expect(page.locator('iys-consent [role=status]')).toHaveText('Kaydedildi.');
  await expect.poll(async () => (await sandboxRecords()).filter((r) => r.recipient === phone).length, { timeout: 20_000 }).toBe(1);
  expect(errors).toEqual([]);
});

test('SMS-coded consent past the per-number cap: the page says why no code came and how long to wait, in Turkish and English', async ({ page }) => {
  const errors = watchErrors(page);
  // IYS_SMS_PER_NUMBER's 3 codes of the hour, asked by a server (no Origin) for the same number.
  for (let i = 0; i < 3; i++) {
    const res = await page.request.post(`${demo.origin}/v1/consents`, { data: { recipient: '0535 111 22 44', channels: ['MESAJ'], consentDate: formatTurkeyTime(Date.now()), verify: 'sms' } });
    expect(res.status()).toBe(202);
  }
  await page.goto(`${demo.origin}/demo/verify.html`);
  await page.getByLabel('Telefon numarası').pressSequentially('0535 111 22 44');
  await page.getByRole('checkbox', { name: /SMS yoluyla/ }).check();
  await page.getByRole('button', { name: 'İzni kaydet' }).click();
  const result = page.locator('#verify-result');
  await expect(result).toContainText('Kod gönderilmedi: bu numaraya çok fazla kod istendi;');
  await expect(result).toHaveText(/\d+ dk sonra yeniden deneyin\. — No code sent: too many codes were asked for this number; try again in \d+ min\./);
  expect(errors.filter((e) => !/429/.test(e))).toEqual([]);
});

test('npm start printed its address, logged no full phone number, and stops cleanly on SIGTERM', async () => {
  const output = demo.output();
  expect(output).toContain(`iys-consent demo: open ${demo.origin}/`);
  expect(output).toContain(`${demo.origin}/demo/ledger.html`);
  expect(output).toContain('/v1/consents'); // the sign-ups were logged, so the check below means something
  expect(output).not.toContain(PHONE);
  expect(output).not.toContain('5321234567');
  expect(output).not.toMatch(/\+90\d{10}/);
  expect(output).not.toContain('ayse@example.com');
  exitCode = await demo.stop();
  expect(exitCode).toBe(0);
  expect(demo.output()).toContain('"event":"collector.stopped"');
});
