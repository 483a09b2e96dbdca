/** The widget on a page: accessibility, names, theming, language, the hashed notice, CSP, time zones. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import { formatTurkeyTime, parseTurkeyTime } from '../../../shared/turkey-time.ts';
import type { Page } from '../engines/index.ts';
import { box, consentStandalone, eventually, open, statusBecomes, until, type Scenario } from './scenario.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on the page as it is now: [rule, [targets]]. */
export async function axeViolations(page: Page): Promise<[string, string[]][]> {
  return page.evaluate(async (source) => {
    const w = window as unknown as { axe?: { run(ctx: Document): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } };
    if (!w.axe) (0, eval)(source);
    const { violations } = await w.axe!.run(document);
    return violations.map((v) => [v.id, v.nodes.map((n) => n.target.join(' '))] as [string, string[]]);
  }, AXE);
}

const FORM = `<form><label>Telefon <input name="phone" type="tel"></label>
  <iys-consent id="in-form" recipient-field="phone" channels="MESAJ EPOSTA ARAMA" brand="Örnek Mağaza" required></iys-consent>
  <button>Kaydol</button></form>
  <iys-consent id="alone" channels="EPOSTA" brand="Örnek Mağaza"></iys-consent>`;

const shadowText = (page: Page, host: string, selector: string) =>
  page.evaluate((h, s) => document.querySelector(h)!.shadowRoot!.querySelector(s)!.textContent, host, selector);

/** The text that names each checkbox of a widget: its <label>'s, through the slot. */
const boxNames = (page: Page, host = 'iys-consent') =>
  page.evaluate((h) => {
    const flat = (n: Node): string =>
      n.nodeType === 3 ? n.nodeValue! : [...((n as HTMLSlotElement).assignedNodes?.({ flatten: true }).length ? (n as HTMLSlotElement).assignedNodes({ flatten: true }) : n.childNodes)].map(flat).join('');
    return [...document.querySelector(h)!.shadowRoot!.querySelectorAll('input[type=checkbox]')].map((b) => flat((b as HTMLInputElement).labels![0]!).replace(/\s+/g, ' ').trim());
  }, host);

const colourSchemes: Scenario[] = (['light', 'dark'] as const).map((scheme) => ({
  name: `axe-core finds no violation in ${scheme} colours, ticked or not, with a status shown`,
  async run(t) {
    // The page decides the scheme the widget's Canvas/CanvasText resolve in (its own is `light dark`).
    await open(t.page, t.server.page(`axe-${scheme}`, `<style>iys-consent { color-scheme: ${scheme} }</style>${FORM}`));
    const [bg, fg] = await t.page.evaluate(() => {
      const s = getComputedStyle(document.querySelector('iys-consent')!);
      return [s.backgroundColor, s.color];
    });
    expect(bg === 'rgb(255, 255, 255)').toBe(scheme === 'light');
    expect(bg).not.toBe(fg);
    expect(await axeViolations(t.page)).toEqual([]);
    await t.page.click(box('MESAJ', '#in-form'));
    await t.page.click('#alone >>> button'); // nothing ticked there: the status says so
    await statusBecomes(t.page, 'En az bir kanal seçin.', '#alone');
    expect(await axeViolations(t.page)).toEqual([]);
  },
}));

const language = (name: string, body: string, pageLang: string, check: (page: Page) => Promise<void>): Scenario => ({
  name: `language: ${name}`,
  async run(t) {
    await open(t.page, t.server.page(`lang-${name.replace(/\W+/g, '-')}`, body, { lang: pageLang }));
    await check(t.page);
  },
});

export const PAGE_SCENARIOS: Scenario[] = [
  ...colourSchemes,
  {
    name: 'each checkbox is named by its consent sentence, inside a fieldset named by its legend',
    async run(t) {
      await open(t.page, t.server.page('names', FORM));
      expect(await boxNames(t.page, '#in-form')).toEqual([
        'Örnek Mağaza tarafından tarafıma SMS yoluyla ticari elektronik ileti gönderilmesine onay veriyorum.',
        'Örnek Mağaza tarafından tarafıma e-posta yoluyla ticari elektronik ileti gönderilmesine onay veriyorum.',
        'Örnek Mağaza tarafından tarafıma telefon araması yoluyla ticari elektronik ileti gönderilmesine onay veriyorum.',
      ]);
      expect(await shadowText(t.page, '#in-form', 'fieldset > legend')).toBe('Ticari elektronik ileti izni');
    },
  },
  {
    name: 'host page CSS does not reach inside; custom properties and ::part theme it',
    async run(t) {
      t.server.asset(
        'theme.css',
        `label, input, button { display: none !important; }
         iys-consent { --iys-accent: rgb(200, 0, 100); }
         iys-consent::part(legend) { text-transform: uppercase; }`,
      );
      await open(t.page, t.server.page('theme', `<iys-consent channels="MESAJ"></iys-consent>`, { head: '<link rel="stylesheet" href="/a/theme.css">' }));
      const look = await t.page.evaluate(() => {
        const root = document.querySelector('iys-consent')!.shadowRoot!;
        const style = (s: string) => getComputedStyle(root.querySelector(s)!);
        return { box: style('input[type=checkbox]').display, button: style('button').backgroundColor, legend: style('legend').textTransform };
      });
      expect(look).toEqual({ box: expect.not.stringMatching(/^none$/), button: 'rgb(200, 0, 100)', legend: 'uppercase' });
    },
  },
  language('Turkish by default', `<iys-consent channels="MESAJ" brand="Örnek"></iys-consent>`, 'tr', async (page) => {
    expect(await boxNames(page)).toEqual(['Örnek tarafından tarafıma SMS yoluyla ticari elektronik ileti gönderilmesine onay veriyorum.']);
    expect(await shadowText(page, 'iys-consent', 'button')).toBe('İzni kaydet');
  }),
  language("English from the page's language", `<iys-consent channels="EPOSTA" brand="Acme"></iys-consent>`, 'en', async (page) => {
    expect(await boxNames(page)).toEqual(['I agree to receive commercial electronic messages from Acme by e-mail.']);
    expect(await shadowText(page, 'iys-consent', '#r')).toBe('E-mail address');
  }),
  language(
    'the lang attribute beats the page language, both ways',
    `<iys-consent id="a" lang="tr" channels="ARAMA" brand="Örnek"></iys-consent>
     <div lang="tr"><iys-consent id="b" lang="en" channels="ARAMA" brand="Acme"></iys-consent></div>`,
    'en',
    async (page) => {
      expect(await boxNames(page, '#a')).toEqual(['Örnek tarafından tarafıma telefon araması yoluyla ticari elektronik ileti gönderilmesine onay veriyorum.']);
      expect(await boxNames(page, '#b')).toEqual(['I agree to receive commercial electronic messages from Acme by phone call.']);
    },
  ),
  {
    name: 'language: the notice language is sent with the consent',
    async run(t) {
      await open(t.page, t.server.page('lang-sent', `<iys-consent lang="en" channels="MESAJ"></iys-consent>`));
      await consentStandalone(t.page);
      await statusBecomes(t.page, 'Saved.');
      expect(t.server.posts[0]!.body.notice.lang).toBe('en');
    },
  },
  {
    name: "a site's own legal text in the slot replaces the sentence and is what gets hashed",
    async run(t) {
      const legal = 'Kampanyalardan SMS ile haberdar olmak için açık rıza veriyorum.';
      await open(t.page, t.server.page('slot', `<iys-consent channels="MESAJ" brand="Örnek"><span slot="MESAJ">${legal}</span></iys-consent>`));
      expect(await boxNames(t.page)).toEqual([legal]);
      await consentStandalone(t.page);
      await eventually(() => t.server.posts.length).toBe(1);
      const expected = 'sha256:' + createHash('sha256').update(`Ticari elektronik ileti izni ${legal}`).digest('hex');
      expect(t.server.posts[0]!.body.notice.hash).toBe(expected);
    },
  },
  {
    name: 'a page whose CSP allows no inline script or style renders it and sends with no violation',
    async run(t) {
      // Loaded before the widget, from the page's own origin (script-src 'self'): it hears what goes wrong.
      t.server.asset(
        'watch.js',
        `window.watched = [];
         document.addEventListener('securitypolicyviolation', (e) => watched.push(e.violatedDirective + ' ' + e.blockedURI));
         addEventListener('error', (e) => watched.push('error ' + e.message));
         addEventListener('unhandledrejection', (e) => watched.push('rejection ' + e.reason));`,
      );
      await open(
        t.page,
        t.server.page('csp', `<iys-consent channels="MESAJ" brand="Örnek"></iys-consent>`, { csp: "script-src 'self'; style-src 'self'", head: '<script src="/a/watch.js"></script>' }),
      );
      const width = await t.page.evaluate(() => document.querySelector('iys-consent')!.shadowRoot!.querySelector('input[type=checkbox]')!.getBoundingClientRect().width);
      expect(width).toBe(24); // the widget's own stylesheet applied
      await consentStandalone(t.page);
      await statusBecomes(t.page, 'Kaydedildi.');
      expect(t.server.posts).toHaveLength(1);
      expect(await t.page.evaluate(() => (window as unknown as { watched: string[] }).watched)).toEqual([]);
      if (t.page.errors) expect(t.page.errors).toEqual([]);
    },
  },
  ...['UTC', 'America/New_York'].map(
    (timeZone): Scenario => ({
      name: `stamps consentDate in Turkey time with the browser's clock in ${timeZone}`,
      async run(t) {
        const page = await t.pageIn(timeZone);
        await open(page, t.server.page(`tz-${timeZone.replace('/', '-')}`, `<iys-consent channels="MESAJ"></iys-consent>`));
        expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(timeZone);
        await page.fill('iys-consent >>> #r input', '0532 123 45 67');
        await page.click(box('MESAJ'));
        const clicked = Date.now();
        await page.click('iys-consent >>> button');
        await eventually(() => t.server.posts.length).toBe(1);
        const stamped = parseTurkeyTime(String(t.server.posts[0]!.body.consentDate))!;
        expect(Math.abs(stamped - parseTurkeyTime(formatTurkeyTime(clicked))!)).toBeLessThanOrEqual(5000);
        await until(page, () => true);
      },
    }),
  ),
];
