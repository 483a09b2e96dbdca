/** The widget as a form control: value, validity, focus, reset, restore, disabled, submit, events, keyboard. */
import { expect } from 'vitest';
import { parseTurkeyTime } from '../../../shared/turkey-time.ts';
import type { WidgetServer } from '../widget-server.ts';
import type { Page } from '../engines/index.ts';
import { box, consentStandalone, eventually, events, focused, formData, open, ready, recordEvents, statusBecomes, until, type Scenario } from './scenario.ts';

const PHONE = 'input[name=phone]';
const SUBMIT = 'form button:not([type])';

/** A sign-up form of a single-page app (its own handler cancels the native submit, and counts), or of a classic site (`spa: false`). */
export function signup(server: WidgetServer, name: string, attrs = '', { spa = true } = {}): string {
  server.asset('spa.js', `window.submits = 0; document.addEventListener('submit', (e) => { window.submits++; e.preventDefault(); });`);
  return server.page(
    name,
    `<form id="f" action="/thanks" method="post">
       <label>Telefon <input name="phone" type="tel" autocomplete="tel"></label>
       <iys-consent name="iys" recipient-field="phone" channels="MESAJ ARAMA" brand="Örnek Mağaza" ${attrs}></iys-consent>
       <button>Kaydol</button> <button type="reset">Temizle</button>
     </form>`,
    { head: spa ? `<script type="module" src="/a/spa.js"></script>` : '' },
  );
}

/** How often the page's own submit handler ran (spa.js counts). */
const submits = (page: Page) => page.evaluate(() => (window as unknown as { submits: number }).submits);
const checked = (page: Page, channel: string) =>
  page.evaluate((c) => (document.querySelector('iys-consent')!.shadowRoot!.querySelector(`input[value=${c}]`) as HTMLInputElement).checked, channel);
const validity = (page: Page) =>
  page.evaluate(() => ({ form: document.querySelector('form')!.checkValidity(), message: document.querySelector('iys-consent')!.validationMessage }));

export const FORM_SCENARIOS: Scenario[] = [
  {
    name: 'takes part in its form: never pre-checked, the ticked channels are its value, equal boxes',
    async run(t) {
      await open(t.page, signup(t.server, 'participation'));
      expect([await checked(t.page, 'MESAJ'), await checked(t.page, 'ARAMA')]).toEqual([false, false]);
      expect(await formData(t.page)).toEqual([['phone', '']]);
      await t.page.click(box('MESAJ'));
      await until(t.page, () => new FormData(document.querySelector('form')!).get('iys') === 'MESAJ');
      await t.page.click(box('ARAMA'));
      await until(t.page, () => new FormData(document.querySelector('form')!).get('iys') === 'MESAJ ARAMA');
      expect(await formData(t.page)).toEqual([['phone', ''], ['iys', 'MESAJ ARAMA']]);
      // Equal prominence: every box the same size.
      const sizes = await t.page.evaluate(() =>
        [...document.querySelector('iys-consent')!.shadowRoot!.querySelectorAll('input[type=checkbox]')].map((b) => {
          const r = b.getBoundingClientRect();
          return [r.width, r.height];
        }),
      );
      expect(sizes).toEqual([[24, 24], [24, 24]]);
    },
  },
  {
    name: 'required blocks the submit with a validity message and moves the focus to the first box',
    async run(t) {
      await open(t.page, signup(t.server, 'required', 'required'));
      await t.page.fill(PHONE, '0532 123 45 67');
      await t.page.click(SUBMIT);
      // The blocked submit focuses the invalid control: the host hands it to its first box.
      await until(t.page, () => document.activeElement?.localName === 'iys-consent');
      expect(await focused(t.page)).toBe('iys-consent > input[value=MESAJ]');
      expect(await submits(t.page)).toBe(0);
      expect(await validity(t.page)).toEqual({ form: false, message: 'En az bir kanal seçin.' });
      if (t.page.errors) expect(t.page.errors.filter((e) => /not focusable/.test(e))).toEqual([]);

      await t.page.click(box('ARAMA'));
      await until(t.page, () => document.querySelector('form')!.checkValidity());
      await t.page.click(SUBMIT);
      await eventually(() => t.server.posts.length).toBe(1);
      expect(t.server.posts[0]!.body.channels).toEqual(['ARAMA']);
    },
  },
  {
    name: 'a ticked box with a recipient that is not a mobile number blocks the submit',
    async run(t) {
      await open(t.page, signup(t.server, 'bad-recipient'));
      await t.page.fill(PHONE, '0212 555 12 34'); // a landline: no SMS consent
      await t.page.click(box('MESAJ'));
      await t.page.click(SUBMIT);
      await until(t.page, () => document.activeElement?.localName === 'iys-consent');
      expect(await submits(t.page)).toBe(0);
      expect((await validity(t.page)).message).toBe('Telefon numarası geçerli değil.');
      await t.page.fill(PHONE, '0532 123 45 67');
      await until(t.page, () => document.querySelector('form')!.checkValidity());
      expect(t.server.posts).toHaveLength(0);
    },
  },
  {
    name: 'form reset unticks every box and clears the value',
    async run(t) {
      await open(t.page, signup(t.server, 'reset'));
      await t.page.click(box('MESAJ'));
      await t.page.click(box('ARAMA'));
      await until(t.page, () => new FormData(document.querySelector('form')!).get('iys') === 'MESAJ ARAMA');
      await t.page.click('button[type=reset]');
      await until(t.page, () => !new FormData(document.querySelector('form')!).has('iys'));
      expect([await checked(t.page, 'MESAJ'), await checked(t.page, 'ARAMA')]).toEqual([false, false]);
      expect(await formData(t.page)).toEqual([['phone', '']]);
    },
  },
  {
    name: 'sends nothing for a submit with no box ticked, and the form submits as usual',
    async run(t) {
      await open(t.page, signup(t.server, 'nothing-ticked'));
      await t.page.fill(PHONE, '0532 123 45 67');
      await t.page.click(SUBMIT);
      await until(t.page, () => (window as unknown as { submits: number }).submits === 1);
      await t.page.click(box('ARAMA'));
      await t.page.click(SUBMIT);
      await eventually(() => t.server.posts.length).toBe(1);
      expect(t.server.posts[0]!.body.channels).toEqual(['ARAMA']);
      expect(await submits(t.page)).toBe(2);
    },
  },
  {
    name: "sends the contract's body, the recipient as typed, when the page's own submit handler calls preventDefault",
    async run(t) {
      const url = signup(t.server, 'prevent-default');
      await open(t.page, url);
      await t.page.fill(PHONE, '0532 123 45 67');
      await t.page.click(box('MESAJ'));
      await t.page.click(box('ARAMA'));
      await t.page.click(SUBMIT);
      await eventually(() => t.server.posts.length).toBe(1);
      const { body, contentType } = t.server.posts[0]!;
      expect(contentType).toBe('text/plain;charset=UTF-8');
      expect(body).toMatchObject({
        recipient: '0532 123 45 67', // as typed: the collector normalises it and keeps this beside
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
      expect(await t.page.evaluate(() => location.href)).toBe(url); // the page's handler kept it in place
      // The same choice submitted again, typed differently, is not a second consent.
      await statusBecomes(t.page, 'Kaydedildi.');
      await t.page.fill(PHONE, '05321234567');
      await t.page.click(SUBMIT);
      await until(t.page, () => (window as unknown as { submits: number }).submits === 2);
      await statusBecomes(t.page, 'Kaydedildi.');
      expect(t.server.posts).toHaveLength(1);
    },
  },
  {
    name: 'withdraw mode says so and sends RET',
    async run(t) {
      await open(t.page, signup(t.server, 'withdraw', 'mode="withdraw" recipient-type="TACIR"'));
      const sentence = await t.page.evaluate(() => document.querySelector('iys-consent')!.shadowRoot!.querySelector('.c')!.textContent);
      expect(sentence).toMatch(/SMS yoluyla .* verdiğim onayı geri alıyorum/);
      await t.page.fill(PHONE, '0532 123 45 67');
      await t.page.click(box('MESAJ'));
      await t.page.click(SUBMIT);
      await eventually(() => t.server.posts.length).toBe(1);
      expect(t.server.posts[0]!.body).toMatchObject({ status: 'RET', channels: ['MESAJ'], recipientType: 'TACIR' });
    },
  },
  {
    name: "fires iys-change, iys-sent with the ids, and iys-error with the collector's error code, bubbling out of the shadow root",
    async run(t) {
      await open(t.page, signup(t.server, 'events'));
      await recordEvents(t.page);
      await t.page.fill(PHONE, '0532 123 45 67');
      await t.page.click(box('MESAJ'));
      expect(await events(t.page)).toEqual([['iys-change', { channels: ['MESAJ'] }]]);

      t.server.answerNext(422);
      await t.page.click(SUBMIT);
      await until(t.page, () => JSON.stringify((window as unknown as { seen: unknown[] }).seen).includes('iys-error'));
      expect(await events(t.page)).toContainEqual(['iys-error', { reason: 'invalid-consent' }]);
      await statusBecomes(t.page, 'Gönderilemedi.');

      // Refused for good: the same choice may be sent again, and this time it is taken.
      await t.page.click(SUBMIT);
      await eventually(() => t.server.posts.length).toBe(2);
      await until(t.page, () => JSON.stringify((window as unknown as { seen: unknown[] }).seen).includes('iys-sent'));
      expect(await events(t.page)).toContainEqual(['iys-sent', { ids: t.server.posts[1]!.answeredIds, channels: ['MESAJ'] }]);
      expect(t.server.posts[0]!.body.idempotencyKey).not.toBe(t.server.posts[1]!.body.idempotencyKey);
    },
  },
  {
    name: 'keyboard only: Tab, Space and Enter take a person from the phone field to a sent consent',
    async run(t) {
      await open(t.page, signup(t.server, 'keyboard'));
      await t.page.press('Tab');
      expect(await focused(t.page)).toBe('input[name=phone]');
      await t.page.type('05321234567');
      await t.page.press('Tab'); // into the shadow root: the SMS box
      expect(await focused(t.page)).toBe('iys-consent > input[value=MESAJ]');
      await t.page.press('Space');
      await until(t.page, () => (document.querySelector('iys-consent')!.shadowRoot!.querySelector('input[value=MESAJ]') as HTMLInputElement).checked);
      const outline = await t.page.evaluate(() => getComputedStyle(document.querySelector('iys-consent')!.shadowRoot!.activeElement!).outlineStyle);
      expect(outline).toBe('solid'); // the focus is visible
      await t.page.press('Tab'); // the call box, left unticked
      await t.page.press('Tab'); // the page's submit button
      expect(await focused(t.page)).toBe('button');
      await t.page.press('Enter');
      await eventually(() => t.server.posts.length).toBe(1);
      expect(t.server.posts[0]!.body).toMatchObject({ recipient: '05321234567', channels: ['MESAJ'] });
    },
  },
  {
    name: 'outside a form it shows its own input and button, and announces the outcome',
    async run(t) {
      await open(t.page, t.server.page('standalone', `<iys-consent channels="EPOSTA" brand="Örnek Mağaza"></iys-consent>`));
      const label = await t.page.evaluate(() => document.querySelector('iys-consent')!.shadowRoot!.querySelector('#r')!.textContent);
      expect(label).toBe('E-posta adresi');
      await t.page.fill('iys-consent >>> #r input', 'Ayse@Example.com');
      await t.page.click(box('EPOSTA'));
      await t.page.click('iys-consent >>> button');
      await statusBecomes(t.page, 'Kaydedildi.');
      expect(t.server.posts[0]!.body).toMatchObject({ recipient: 'Ayse@Example.com', channels: ['EPOSTA'] });
    },
  },
  {
    name: 'posts to the collector attribute across origins',
    async run(t) {
      await open(t.page, t.server.page('cross-origin', `<iys-consent channels="MESAJ" collector="${t.server.otherOrigin}/"></iys-consent>`));
      await consentStandalone(t.page);
      await statusBecomes(t.page, 'Kaydedildi.');
      expect(t.server.posts[0]!.origin).toBe(t.server.origin);
    },
  },
  {
    name: 'the honeypot: hidden from people and the keyboard, sent as website when a bot fills it',
    async run(t) {
      await open(t.page, signup(t.server, 'honeypot'));
      const trap = await t.page.evaluate(() => {
        const el = document.querySelector('iys-consent')!.shadowRoot!.querySelector('input[name=website]')!;
        const r = el.getBoundingClientRect();
        return { tabindex: el.getAttribute('tabindex'), hidden: el.getAttribute('aria-hidden'), autocomplete: el.getAttribute('autocomplete'), style: el.getAttribute('style'), right: r.right };
      });
      // Hidden by the stylesheet (a strict CSP forbids style attributes), off-screen rather than display:none.
      expect(trap).toEqual({ tabindex: '-1', hidden: 'true', autocomplete: 'off', style: null, right: expect.any(Number) });
      expect(trap.right).toBeLessThan(0);
      expect(await formData(t.page)).toEqual([['phone', '']]); // not in the host form's data
      // Tab skips it: from the call box straight to the page's button.
      await t.page.click(box('ARAMA'));
      await t.page.press('Tab');
      expect(await focused(t.page)).toBe('button');

      // A bot fills every input it finds, by script.
      await t.page.fill(PHONE, '0532 123 45 67');
      await t.page.evaluate(() => void ((document.querySelector('iys-consent')!.shadowRoot!.querySelector('input[name=website]') as HTMLInputElement).value = 'http://spam.example'));
      await t.page.click(SUBMIT);
      await eventually(() => t.server.posts.length).toBe(1);
      expect(t.server.posts[0]!.body.website).toBe('http://spam.example');
    },
  },
  {
    name: 'inside a disabled fieldset its boxes are disabled, it leaves the form data, and a submit sends nothing',
    async run(t) {
      t.server.asset('spa.js', `window.submits = 0; document.addEventListener('submit', (e) => { window.submits++; e.preventDefault(); });`);
      await open(
        t.page,
        t.server.page(
          'disabled-fieldset',
          `<form action="/thanks" method="post"><fieldset id="fs"><legend>Üyelik</legend>
             <label>Telefon <input name="phone" type="tel"></label>
             <iys-consent name="iys" recipient-field="phone" channels="MESAJ ARAMA" required></iys-consent></fieldset>
           <button>Kaydol</button></form>`,
          { head: `<script type="module" src="/a/spa.js"></script>` },
        ),
      );
      await t.page.fill(PHONE, '0532 123 45 67');
      await t.page.click(box('MESAJ'));
      await until(t.page, () => new FormData(document.querySelector('form')!).get('iys') === 'MESAJ');
      expect(await formData(t.page)).toEqual([['phone', '0532 123 45 67'], ['iys', 'MESAJ']]);

      await t.page.evaluate(() => void ((document.getElementById('fs') as HTMLFieldSetElement).disabled = true));
      await until(t.page, () => [...document.querySelector('iys-consent')!.shadowRoot!.querySelectorAll('input[type=checkbox]')].every((b) => (b as HTMLInputElement).disabled));
      expect(await checked(t.page, 'MESAJ')).toBe(true); // kept, like a native box, for when it is enabled again
      expect(await formData(t.page)).toEqual([]);
      // A disabled control is barred from validation: `required` does not block the form.
      expect(await t.page.evaluate(() => document.querySelector('form')!.checkValidity())).toBe(true);

      await t.page.click(SUBMIT);
      await until(t.page, () => (window as unknown as { submits: number }).submits === 1);
      expect(t.server.posts).toHaveLength(0);

      // Enabled again, the same choice is sent on the next submit.
      await t.page.evaluate(() => void ((document.getElementById('fs') as HTMLFieldSetElement).disabled = false));
      await until(t.page, () => !(document.querySelector('iys-consent')!.shadowRoot!.querySelector('input[value=MESAJ]') as HTMLInputElement).disabled);
      await t.page.click(SUBMIT);
      await eventually(() => t.server.posts.length).toBe(1);
      expect(t.server.posts[0]!.body.channels).toEqual(['MESAJ']);
    },
  },
  {
    name: 'form-state restore: back to the page, the boxes come back as the browser brings back the native field',
    async run(t) {
      // Every page of the test server is Cache-Control: no-store, which keeps it out of the
      // back/forward cache: going back builds the page anew, and the browser restores form state.
      const url = signup(t.server, 'restore', '', { spa: false });
      await open(t.page, url);
      await t.page.fill(PHONE, '0532 123 45 67');
      await t.page.click(box('ARAMA'));
      await until(t.page, () => new FormData(document.querySelector('form')!).get('iys') === 'ARAMA');
      await t.page.evaluate(() => void ((window as unknown as { before: boolean }).before = true));
      await t.page.goto(`${t.server.origin}/thanks`);
      await t.page.back();
      await ready(t.page);
      expect(await t.page.evaluate(() => location.href)).toBe(url);
      // A new document, not the old one out of the back/forward cache (which would prove nothing).
      expect(await t.page.evaluate(() => (window as unknown as { before?: boolean }).before)).toBeUndefined();
      const phone = await t.page.evaluate(() => (document.querySelector('input[name=phone]') as HTMLInputElement).value);
      // Like a native control: restored exactly when the browser restores the phone field beside it.
      const expected = phone === '' ? [] : ['ARAMA'];
      await until(t.page, (want) => JSON.stringify(document.querySelector('iys-consent')!.ticked) === JSON.stringify(want), expected);
      expect(await checked(t.page, 'ARAMA')).toBe(expected.length > 0);
      expect(await checked(t.page, 'MESAJ')).toBe(false);
      expect(await formData(t.page)).toEqual([['phone', phone], ...(expected.length ? [['iys', 'ARAMA']] : [])]);
      expect(t.server.posts).toHaveLength(0); // restoring is not consenting
    },
  },
];

