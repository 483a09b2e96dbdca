import AxeBuilder from '@axe-core/playwright';
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

const SMS = /SMS yoluyla/;
const CALL = /telefon araması yoluyla/;

/** A sign-up form of a single-page app: its own handler cancels the native submit. */
function signup(name: string, attrs = '', { spa = true } = {}): string {
  return server.page(
    name,
    `<form id="f" action="/thanks" method="post">
       <label>Telefon <input name="phone" type="tel" autocomplete="tel"></label>
       <iys-consent name="iys" recipient-field="phone" channels="MESAJ ARAMA" brand="Örnek Mağaza" ${attrs}></iys-consent>
       <button>Kaydol</button> <button type="reset">Temizle</button>
     </form>`,
    {
      head: spa
        ? `<script type="module" src="/a/spa.js"></script>`
        : '',
    },
  );
}

test.beforeAll(() => {
  server.asset(
    'spa.js',
    `window.submits = 0;
     document.addEventListener('submit', (e) => { window.submits++; e.preventDefault(); });`,
  );
});

const formData = (page: Page) => page.evaluate(() => [...new FormData(document.querySelector('form')!)].map(([k, v]) => [k, String(v)]));

test('takes part in its form: never pre-checked, the ticked channels are its value', async ({ page }) => {
  await page.goto(signup('participation'));
  const sms = page.getByRole('checkbox', { name: SMS });
  const call = page.getByRole('checkbox', { name: CALL });
  await expect(sms).not.toBeChecked();
  await expect(call).not.toBeChecked();
  expect(await formData(page)).toEqual([['phone', '']]);

  await sms.check();
  expect(await formData(page)).toEqual([['phone', ''], ['iys', 'MESAJ']]);
  await call.check();
  expect(await formData(page)).toEqual([['phone', ''], ['iys', 'MESAJ ARAMA']]);

  // Equal prominence: every box the same size.
  const [a, b] = await Promise.all([sms.boundingBox(), call.boundingBox()]);
  expect(a!.width).toBe(b!.width);
  expect(a!.height).toBe(b!.height);
});

test('required blocks the submit with a validity message until a box is ticked', async ({ page }) => {
  await page.goto(signup('required', 'required'));
  await page.getByRole('textbox', { name: 'Telefon', exact: true }).fill('0532 123 45 67');
  await page.getByRole('button', { name: 'Kaydol' }).click();
  expect(await page.evaluate(() => (window as unknown as { submits: number }).submits)).toBe(0);
  expect(await page.evaluate(() => document.querySelector('form')!.checkValidity())).toBe(false);
  expect(await page.evaluate(() => document.querySelector('iys-consent')!.validationMessage)).toBe('En az bir kanal seçin.');

  await page.getByRole('checkbox', { name: CALL }).check();
  expect(await page.evaluate(() => document.querySelector('form')!.checkValidity())).toBe(true);
  await page.getByRole('button', { name: 'Kaydol' }).click();
  await expect.poll(() => server.posts.length).toBe(1);
  expect(server.posts[0]!.body.channels).toEqual(['ARAMA']);
});

test('a ticked box with a recipient that is not a mobile number blocks the submit', async ({ page }) => {
  await page.goto(signup('bad-recipient'));
  await page.getByRole('textbox', { name: 'Telefon', exact: true }).fill('0212 555 12 34'); // a landline: no SMS consent
  await page.getByRole('checkbox', { name: SMS }).check();
  await page.getByRole('button', { name: 'Kaydol' }).click();
  expect(await page.evaluate(() => (window as unknown as { submits: number }).submits)).toBe(0);
  expect(await page.evaluate(() => document.querySelector('iys-consent')!.validationMessage)).toBe('Telefon numarası geçerli değil.');
  await page.getByRole('textbox', { name: 'Telefon', exact: true }).fill('0532 123 45 67');
  expect(await page.evaluate(() => document.querySelector('form')!.checkValidity())).toBe(true);
});

test('form reset unticks every box and clears the value', async ({ page }) => {
  await page.goto(signup('reset'));
  await page.getByRole('checkbox', { name: SMS }).check();
  await page.getByRole('checkbox', { name: CALL }).check();
  await page.getByRole('button', { name: 'Temizle' }).click();
  await expect(page.getByRole('checkbox', { name: SMS })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: CALL })).not.toBeChecked();
  expect(await formData(page)).toEqual([['phone', '']]);
});

test('sends nothing for a submit with no box ticked, and the form submits as usual', async ({ page }) => {
  await page.goto(signup('nothing-ticked'));
  await page.getByRole('textbox', { name: 'Telefon', exact: true }).fill('0532 123 45 67');
  await page.getByRole('button', { name: 'Kaydol' }).click();
  expect(await page.evaluate(() => (window as unknown as { submits: number }).submits)).toBe(1);
  // Then one that is ticked: the only post the collector sees is that one.
  await page.getByRole('checkbox', { name: CALL }).check();
  await page.getByRole('button', { name: 'Kaydol' }).click();
  await expect.poll(() => server.posts.length).toBe(1);
  expect(server.posts[0]!.body.channels).toEqual(['ARAMA']);
  expect(await page.evaluate(() => (window as unknown as { submits: number }).submits)).toBe(2);
});

test("sends the contract's body when the page's own submit handler calls preventDefault", async ({ page }) => {
  const url = signup('prevent-default');
  await page.goto(url);
  await page.getByRole('textbox', { name: 'Telefon', exact: true }).fill('0532 123 45 67');
  await page.getByRole('checkbox', { name: SMS }).check();
  await page.getByRole('checkbox', { name: CALL }).check();
  await page.getByRole('button', { name: 'Kaydol' }).click();
  await expect.poll(() => server.posts.length).toBe(1);
  const { body, contentType } = server.posts[0]!;
  expect(contentType).toBe('text/plain;charset=UTF-8');
  expect(body).toMatchObject({
    recipient: '+905321234567',
    channels: ['MESAJ', 'ARAMA'],
    status: 'ONAY',
    notice: { version: '2026-01-01', lang: 'tr' },
    pageUrl: url,
    widgetVersion: '0.1.0',
  });
  expect(body.notice.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(body.idempotencyKey).toMatch(/^[0-9a-f]{32}$/);
  expect(parseTurkeyTime(String(body.consentDate))).toBeDefined();
  // sentAt: the clock at this send, a moment at or after the consent.
  expect(parseTurkeyTime(String(body.sentAt))).toBeGreaterThanOrEqual(parseTurkeyTime(String(body.consentDate))!);
  expect(body).not.toHaveProperty('recipientType'); // the collector's default, BIREYSEL
  expect(body).not.toHaveProperty('website'); // the honeypot, left empty by people
  expect(page.url()).toBe(url); // the page's handler kept it in place
  // The same choice submitted again is not a second consent.
  await page.getByRole('button', { name: 'Kaydol' }).click();
  await expect(page.getByRole('status')).toHaveText('Kaydedildi.');
  expect(server.posts).toHaveLength(1);
});

test('withdraw mode says so and sends RET', async ({ page }) => {
  await page.goto(signup('withdraw', 'mode="withdraw" recipient-type="TACIR"'));
  await page.getByRole('textbox', { name: 'Telefon', exact: true }).fill('0532 123 45 67');
  await page.getByRole('checkbox', { name: /SMS yoluyla .* verdiğim onayı geri alıyorum/ }).check();
  await page.getByRole('button', { name: 'Kaydol' }).click();
  await expect.poll(() => server.posts.length).toBe(1);
  expect(server.posts[0]!.body).toMatchObject({ status: 'RET', channels: ['MESAJ'], recipientType: 'TACIR' });
});

test('fires iys-change, iys-sent with the ids, and iys-error with the reason, bubbling out of the shadow root', async ({ page }) => {
  await page.goto(signup('events'));
  await page.evaluate(() => {
    const seen: unknown[] = [];
    (window as unknown as { seen: unknown[] }).seen = seen;
    for (const type of ['iys-change', 'iys-sent', 'iys-error']) {
      document.addEventListener(type, (e) => seen.push([type, (e as CustomEvent).detail]));
    }
  });
  const seen = () => page.evaluate(() => (window as unknown as { seen: unknown[] }).seen);
  await page.getByRole('textbox', { name: 'Telefon', exact: true }).fill('0532 123 45 67');
  await page.getByRole('checkbox', { name: SMS }).check();
  expect(await seen()).toEqual([['iys-change', { channels: ['MESAJ'] }]]);

  server.answerNext(422);
  await page.getByRole('button', { name: 'Kaydol' }).click();
  await expect.poll(seen).toContainEqual(['iys-error', { reason: 'http-422' }]);
  await expect(page.getByRole('status')).toHaveText('Gönderilemedi.');

  // Refused for good: the same choice may be sent again, and this time it is taken.
  await page.getByRole('button', { name: 'Kaydol' }).click();
  await expect.poll(() => server.posts.length).toBe(2);
  await expect.poll(seen).toContainEqual(['iys-sent', { ids: server.posts[1]!.answeredIds, channels: ['MESAJ'] }]);
  expect(server.posts[0]!.body.idempotencyKey).not.toBe(server.posts[1]!.body.idempotencyKey);
});

test('keyboard only: Tab, Space and Enter take a person from the phone field to a sent consent', async ({ page }) => {
  await page.goto(signup('keyboard'));
  await page.keyboard.press('Tab');
  await expect(page.getByRole('textbox', { name: 'Telefon', exact: true })).toBeFocused();
  await page.keyboard.type('05321234567');
  await page.keyboard.press('Tab'); // into the shadow root: the SMS box
  await expect(page.getByRole('checkbox', { name: SMS })).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page.getByRole('checkbox', { name: SMS })).toBeChecked();
  const outline = await page.evaluate(() => {
    const el = document.querySelector('iys-consent')!.shadowRoot!.activeElement!;
    return getComputedStyle(el).outlineStyle;
  });
  expect(outline).toBe('solid'); // the focus is visible
  await page.keyboard.press('Tab'); // the call box, left unticked
  await page.keyboard.press('Tab'); // the page's submit button
  await page.keyboard.press('Enter');
  await expect.poll(() => server.posts.length).toBe(1);
  expect(server.posts[0]!.body).toMatchObject({ recipient: '+905321234567', channels: ['MESAJ'] });
});

test('outside a form it shows its own input and button, and announces the outcome', async ({ page }) => {
  await page.goto(server.page('standalone', `<iys-consent channels="EPOSTA" brand="Örnek Mağaza"></iys-consent>`));
  await page.getByLabel('E-posta adresi').fill('Ayse@Example.com');
  await page.getByRole('checkbox', { name: /e-posta yoluyla/ }).check();
  await page.getByRole('button', { name: 'İzni kaydet' }).click();
  await expect(page.getByRole('status')).toHaveText('Kaydedildi.');
  expect(server.posts[0]!.body).toMatchObject({ recipient: 'ayse@example.com', channels: ['EPOSTA'] });
});

test('posts to the collector attribute across origins', async ({ page }) => {
  await page.goto(server.page('cross-origin', `<iys-consent channels="MESAJ" collector="${server.otherOrigin}/"></iys-consent>`));
  await page.getByLabel('Telefon numarası').fill('0532 123 45 67');
  await page.getByRole('checkbox', { name: SMS }).check();
  await page.getByRole('button', { name: 'İzni kaydet' }).click();
  await expect(page.getByRole('status')).toHaveText('Kaydedildi.');
  expect(server.posts[0]!.origin).toBe(server.origin);
});

test('the honeypot: hidden from people and the keyboard, sent as website when a bot fills it', async ({ page }) => {
  await page.goto(signup('honeypot'));
  const trap = page.locator('iys-consent input[name=website]');
  await expect(trap).toHaveAttribute('tabindex', '-1');
  await expect(trap).toHaveAttribute('aria-hidden', 'true');
  await expect(trap).toHaveAttribute('autocomplete', 'off');
  expect(await trap.getAttribute('style')).toBeNull(); // hidden by the stylesheet: a strict CSP forbids style attributes
  const box = await trap.boundingBox();
  expect(box!.x + box!.width).toBeLessThan(0); // off-screen, not display:none
  await expect(page.getByRole('textbox')).toHaveCount(1); // not in the accessibility tree: only the page's phone field
  // Not inside the host form's data.
  expect(await formData(page)).toEqual([['phone', '']]);

  // A bot fills every input it finds.
  await page.getByRole('textbox', { name: 'Telefon', exact: true }).fill('0532 123 45 67');
  await trap.fill('http://spam.example', { force: true });
  await page.getByRole('checkbox', { name: SMS }).check();
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  await page.getByRole('button', { name: 'Kaydol' }).click();
  await expect.poll(() => server.posts.length).toBe(1);
  expect(server.posts[0]!.body.website).toBe('http://spam.example');
});

test('inside a disabled fieldset its boxes are disabled, it leaves the form data, and a submit sends nothing', async ({ page }) => {
  await page.goto(
    server.page(
      'disabled-fieldset',
      `<form action="/thanks" method="post"><fieldset id="fs"><legend>Üyelik</legend>
         <label>Telefon <input name="phone" type="tel"></label>
         <iys-consent name="iys" recipient-field="phone" channels="MESAJ ARAMA" required></iys-consent></fieldset>
       <button>Kaydol</button></form>`,
      { head: `<script type="module" src="/a/spa.js"></script>` },
    ),
  );
  await page.getByRole('textbox', { name: 'Telefon', exact: true }).fill('0532 123 45 67');
  await page.getByRole('checkbox', { name: SMS }).check();
  expect(await formData(page)).toEqual([['phone', '0532 123 45 67'], ['iys', 'MESAJ']]);

  await page.evaluate(() => ((document.getElementById('fs') as HTMLFieldSetElement).disabled = true));
  await expect(page.getByRole('checkbox', { name: SMS })).toBeDisabled();
  await expect(page.getByRole('checkbox', { name: CALL })).toBeDisabled();
  await expect(page.getByRole('checkbox', { name: SMS })).toBeChecked(); // kept, like a native box, for when it is enabled again
  expect(await formData(page)).toEqual([]);
  // A disabled control is barred from validation: `required` does not block the form.
  expect(await page.evaluate(() => document.querySelector('form')!.checkValidity())).toBe(true);

  await page.getByRole('button', { name: 'Kaydol' }).click();
  await expect.poll(() => page.evaluate(() => (window as unknown as { submits: number }).submits)).toBe(1);
  expect(server.posts).toHaveLength(0);

  // Enabled again, the same choice is sent on the next submit.
  await page.evaluate(() => ((document.getElementById('fs') as HTMLFieldSetElement).disabled = false));
  await expect(page.getByRole('checkbox', { name: SMS })).toBeEnabled();
  await page.getByRole('button', { name: 'Kaydol' }).click();
  await expect.poll(() => server.posts.length).toBe(1);
  expect(server.posts[0]!.body.channels).toEqual(['MESAJ']);
});

test('form-state restore: back to the page, the ticked boxes are ticked again (formStateRestoreCallback)', async ({ page }) => {
  // Every page of the test server is Cache-Control: no-store, which keeps it out of the
  // back/forward cache: going back builds the page anew, and the browser restores its form state.
  const url = signup('restore', '', { spa: false });
  await page.goto(url);
  await page.getByRole('textbox', { name: 'Telefon', exact: true }).fill('0532 123 45 67');
  await page.getByRole('checkbox', { name: CALL }).check();
  await page.evaluate(() => ((window as unknown as { before: boolean }).before = true));
  await page.goto(`${server.origin}/thanks`);
  await page.goBack();
  expect(page.url()).toBe(url);
  // A new document, not the old one out of the back/forward cache (which would prove nothing).
  expect(await page.evaluate(() => (window as unknown as { before?: boolean }).before)).toBeUndefined();
  await expect(page.getByRole('checkbox', { name: CALL })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: SMS })).not.toBeChecked();
  await expect(page.getByRole('textbox', { name: 'Telefon', exact: true })).toHaveValue('0532 123 45 67');
  expect(await formData(page)).toEqual([['phone', '0532 123 45 67'], ['iys', 'ARAMA']]);
  expect(await page.evaluate(() => document.querySelector('iys-consent')!.ticked)).toEqual(['ARAMA']);
  expect(server.posts).toHaveLength(0); // restoring is not consenting
});
