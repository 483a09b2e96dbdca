/**
 * What a scenario is given, and the few page helpers every scenario file shares. Scenarios are
 * plain async functions against the driver of ../engines: the same code runs in every engine.
 */
import { expect } from 'vitest';
import type { Engine, Page } from '../engines/index.ts';
import type { WidgetServer } from '../widget-server.ts';

export type ScenarioContext = {
  engine: Engine;
  page: Page;
  /** A stand-in collector of this scenario's own (a fresh origin, so fresh storage). */
  server: WidgetServer;
  /** A page whose clock runs in `timeZone`: this page when its browser's zone is that one, else a browser launched for it. */
  pageIn(timeZone: string): Promise<Page>;
};

export type Scenario = { name: string; run(t: ScenarioContext): Promise<void> };

/** How long a condition in the page or on the server may take to come true. */
export const PATIENCE_MS = 15_000;

/** The widget's first box for `channel`, in the first widget or in the one `host` selects. */
export const box = (channel: string, host = 'iys-consent') => `${host} >>> input[value=${channel}]`;

/** What a person does with a widget outside a form: types the number into its input, ticks SMS, presses its button. */
export async function consentStandalone(page: Page, recipient = '0532 123 45 67'): Promise<void> {
  await page.fill('iys-consent >>> #r input', recipient);
  await page.click(box('MESAJ'));
  await page.click('iys-consent >>> button');
}

/** Waits for every <iys-consent> on the page to be defined and rendered. */
export async function ready(page: Page): Promise<void> {
  await until(page, async () => {
    if (!customElements.get('iys-consent')) return false;
    const all = [...document.querySelectorAll('iys-consent')] as unknown as { updateComplete: Promise<boolean> }[];
    await Promise.all(all.map((el) => el.updateComplete));
    return true;
  });
}

/** Loads `url` and waits for its widgets. */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await ready(page);
}

/** Polls `fn` in the page until it returns something truthy, and returns that. */
export async function until<R, A extends unknown[]>(page: Page, fn: (...args: A) => R, ...args: A): Promise<Awaited<R>> {
  const deadline = Date.now() + PATIENCE_MS;
  let last: unknown;
  for (;;) {
    try {
      const value = await page.evaluate(fn, ...args);
      if (value) return value;
      last = value;
    } catch (err) {
      last = err; // mid-navigation: try again
    }
    if (Date.now() > deadline) throw new Error(`in ${page.engine}, never true within ${PATIENCE_MS} ms: ${fn.toString().slice(0, 200)} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls a test-side condition: vitest's expect.poll with the scenarios' patience. */
export const eventually = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: PATIENCE_MS, interval: 50 });

/** The text of the status line of the first widget, or of the one `host` selects. */
export const statusOf = (page: Page, host = 'iys-consent') =>
  page.evaluate((h) => document.querySelector(h)!.shadowRoot!.querySelector('[role=status]')!.textContent, host);

/** Waits until the status line says `text`. */
export async function statusBecomes(page: Page, text: string, host = 'iys-consent'): Promise<void> {
  await until(page, (h, want) => document.querySelector(h)?.shadowRoot?.querySelector('[role=status]')?.textContent === want, host, text);
}

/** The first form's data, as [name, value] pairs. */
export const formData = (page: Page) => page.evaluate(() => [...new FormData(document.querySelector('form')!)].map(([k, v]) => [k, String(v)]));

/** Starts recording the widget events that reach the document; `events(page)` reads them. */
export const recordEvents = (page: Page) =>
  page.evaluate(() => {
    const seen: unknown[] = [];
    (window as unknown as { seen: unknown[] }).seen = seen;
    for (const type of ['iys-change', 'iys-sent', 'iys-error']) document.addEventListener(type, (e) => seen.push([type, (e as CustomEvent).detail]));
  });
export const events = (page: Page) => page.evaluate(() => (window as unknown as { seen: unknown[] }).seen);

/** The widget's outbox, as stored. */
export const outbox = (page: Page) =>
  page.evaluate(() => JSON.parse(localStorage.getItem('iys-consent-outbox') || '[]') as { at: number; body: { idempotencyKey: string; consentDate: string } }[]);

/** Which element has the focus, through shadow roots: `iys-consent > input[value=MESAJ]`, `input[name=phone]`. */
export const focused = (page: Page) =>
  page.evaluate(() => {
    const describe = (el: Element) =>
      el.localName != 'input' ? el.localName : el.getAttribute('value') ? `input[value=${el.getAttribute('value')}]` : `input[name=${el.getAttribute('name')}]`;
    let el: Element | null = document.activeElement;
    const path: string[] = [];
    while (el) {
      path.push(describe(el));
      el = el.shadowRoot?.activeElement ?? null;
    }
    return path.join(' > ');
  });
