import { createHash } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { formatTurkeyTime, parseTurkeyTime } from '../../shared/turkey-time.ts';
import { startWidgetServer, type WidgetServer } from './widget-server.ts';

let server: WidgetServer;
test.beforeAll(async () => {
  server = await startWidgetServer();
});
test.afterAll(async () => server.close());
test.beforeEach(() => {
  server.posts.length = 0;
});

const FORM = `<form><label>Telefon <input name="phone" type="tel"></label>
  <iys-consent recipient-field="phone" channels="MESAJ EPOSTA ARAMA" brand="Örnek Mağaza" required></iys-consent>
  <button>Kaydol</button></form>
  <iys-consent channels="EPOSTA" brand="Örnek Mağaza"></iys-consent>`;

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe-core finds no violation in ${colorScheme} mode, ticked or not, with a status shown`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto(server.page(`axe-${colorScheme}`, FORM));
    await expect(page.getByRole('checkbox')).toHaveCount(4);
    const background = await page.locator('iys-consent').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background).toBe(colorScheme === 'dark' ? 'rgb(18, 18, 18)' : 'rgb(255, 255, 255)');
    const first = await new AxeBuilder({ page }).analyze();
    expect(first.violations).toEqual([]);
    await page.getByRole('checkbox', { name: /SMS yoluyla/ }).check();
    await page.getByRole('button', { name: 'İzni kaydet' }).click(); // nothing ticked there: the status says so
    await expect(page.getByRole('status').nth(1)).toHaveText('En az bir kanal seçin.');
    const second = await new AxeBuilder({ page }).analyze();
    expect(second.violations).toEqual([]);
  });
}

test('the checkbox is named by its consent sentence, inside a named group', async ({ page }) => {
  await page.goto(server.page('names', FORM));
  await expect(
    page.getByRole('checkbox', { name: 'Örnek Mağaza tarafından tarafıma SMS yoluyla ticari elektronik ileti gönderilmesine onay veriyorum.', exact: true }),
  ).toBeVisible();
  await expect(page.getByRole('group', { name: 'Ticari elektronik ileti izni' }).first()).toBeVisible();
});

test('host page CSS does not reach inside; custom properties and ::part theme it', async ({ page }) => {
  const url = server.page(
    'theme',
    `<iys-consent channels="MESAJ"></iys-consent>`,
    { head: '<link rel="stylesheet" href="/a/theme.css">' },
  );
  server.asset(
    'theme.css',
    `label, input, button { display: none !important; }
     iys-consent { --iys-accent: rgb(200, 0, 100); }
     iys-consent::part(legend) { text-transform: uppercase; }`,
  );
  await page.goto(url);
  const box = page.getByRole('checkbox', { name: /SMS yoluyla/ });
  await expect(box).toBeVisible();
  expect(await page.getByRole('button').evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(200, 0, 100)');
  expect(await page.getByText('Ticari elektronik ileti izni').evaluate((l) => getComputedStyle(l).textTransform)).toBe('uppercase');
});

test.describe('language', () => {
  test('Turkish by default', async ({ page }) => {
    await page.goto(server.page('lang-default', `<iys-consent channels="MESAJ" brand="Örnek"></iys-consent>`));
    await expect(page.getByRole('checkbox', { name: 'Örnek tarafından tarafıma SMS yoluyla ticari elektronik ileti gönderilmesine onay veriyorum.' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'İzni kaydet' })).toBeVisible();
  });

  test("English from the page's language", async ({ page }) => {
    await page.goto(server.page('lang-page-en', `<iys-consent channels="EPOSTA" brand="Acme"></iys-consent>`, { lang: 'en' }));
    await expect(page.getByRole('checkbox', { name: 'I agree to receive commercial electronic messages from Acme by e-mail.' })).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'E-mail address' })).toBeVisible();
  });

  test('the lang attribute beats the page language, both ways', async ({ page }) => {
    await page.goto(
      server.page(
        'lang-attr',
        `<iys-consent id="a" lang="tr" channels="ARAMA" brand="Örnek"></iys-consent>
         <div lang="tr"><iys-consent id="b" lang="en" channels="ARAMA" brand="Acme"></iys-consent></div>`,
        { lang: 'en' },
      ),
    );
    await expect(page.locator('#a').getByRole('checkbox', { name: /telefon araması yoluyla/ })).toBeVisible();
    await expect(page.locator('#b').getByRole('checkbox', { name: 'I agree to receive commercial electronic messages from Acme by phone call.' })).toBeVisible();
  });

  test('sends the notice language with the consent', async ({ page }) => {
    await page.goto(server.page('lang-sent', `<iys-consent lang="en" channels="MESAJ"></iys-consent>`));
    await page.getByRole('textbox', { name: 'Phone number' }).fill('0532 123 45 67');
    await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Save consent' }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    expect(server.posts[0]!.body.notice.lang).toBe('en');
  });
});

test("a site's own legal text in the slot replaces the sentence and is what gets hashed", async ({ page }) => {
  const legal = 'Kampanyalardan SMS ile haberdar olmak için açık rıza veriyorum.';
  await page.goto(
    server.page('slot', `<iys-consent channels="MESAJ" brand="Örnek"><span slot="MESAJ">${legal}</span></iys-consent>`),
  );
  await page.getByRole('textbox', { name: 'Telefon numarası' }).fill('0532 123 45 67');
  await page.getByRole('checkbox', { name: legal, exact: true }).check();
  await page.getByRole('button', { name: 'İzni kaydet' }).click();
  await expect.poll(() => server.posts.length).toBe(1);
  const expected = 'sha256:' + createHash('sha256').update(`Ticari elektronik ileti izni ${legal}`).digest('hex');
  expect(server.posts[0]!.body.notice.hash).toBe(expected);
});

test("a page whose CSP allows no inline script or style renders it and sends with no violation", async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { violations: string[] }).violations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(
    server.page('csp', `<iys-consent channels="MESAJ" brand="Örnek"></iys-consent>`, { csp: "script-src 'self'; style-src 'self'" }),
  );
  const box = page.getByRole('checkbox', { name: /SMS yoluyla/ });
  await expect(box).toBeVisible();
  expect((await box.boundingBox())!.width).toBe(24); // the widget's own stylesheet applied
  await page.getByRole('textbox', { name: 'Telefon numarası' }).fill('0532 123 45 67');
  await box.check();
  await page.getByRole('button', { name: 'İzni kaydet' }).click();
  await expect(page.getByRole('status')).toHaveText('Kaydedildi.');
  expect(server.posts).toHaveLength(1);
  expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
  expect(errors).toEqual([]);
});

for (const timezoneId of ['UTC', 'America/New_York']) {
  test.describe(`browser time zone ${timezoneId}`, () => {
    test.use({ timezoneId });
    test('stamps consentDate in Turkey time', async ({ page }) => {
      await page.goto(server.page(`tz-${timezoneId.replace('/', '-')}`, `<iys-consent channels="MESAJ"></iys-consent>`));
      expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(timezoneId);
      await page.getByRole('textbox', { name: 'Telefon numarası' }).fill('0532 123 45 67');
      await page.getByRole('checkbox').check();
      const clicked = Date.now();
      await page.getByRole('button', { name: 'İzni kaydet' }).click();
      await expect.poll(() => server.posts.length).toBe(1);
      const stamped = parseTurkeyTime(String(server.posts[0]!.body.consentDate))!;
      const expected = parseTurkeyTime(formatTurkeyTime(clicked))!;
      expect(Math.abs(stamped - expected)).toBeLessThanOrEqual(5000);
    });
  });
}
