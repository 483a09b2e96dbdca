import puppeteer from 'puppeteer-core';
import type { Browser, Key, LaunchOptions, Page } from './driver.ts';
import { callExpression, fromJson, shadowSteps } from './driver.ts';

export const FIREFOX = process.env.IYS_FIREFOX ?? '/usr/bin/firefox-esr';
const KEYS: Record<Key, string> = { Tab: 'Tab', Space: ' ', Enter: 'Enter' };

/**
 * Debian's Firefox ESR through puppeteer-core over WebDriver BiDi. The time zone is the browser
 * process's TZ. Every page is opened new, in a context of its own: the first tab never gets focus.
 */
export async function launchFirefox({ timeZone }: LaunchOptions): Promise<Browser> {
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, env: { ...process.env, TZ: timeZone } });
  return {
    engine: 'firefox',
    async newPage() {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e instanceof Error ? e.message : String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      // Puppeteer's `>>>` is its own deep combinator, into shadow roots at any depth.
      const handle = async (selector: string) => {
        const el = await page.waitForSelector(shadowSteps(selector).join(' >>> '), { timeout: 15_000 });
        if (!el) throw new Error(`no element for ${selector}`);
        return el;
      };
      const wrapped: Page = {
        engine: 'firefox',
        errors,
        goto: async (url) => void (await page.goto(url)),
        back: async () => void (await page.goBack()),
        evaluate: async (fn, ...args) => fromJson(await page.evaluate(callExpression(fn, args))),
        click: async (selector) => (await handle(selector)).click(),
        fill: async (selector, text) => {
          const el = await handle(selector);
          await el.evaluate((input) => void ((input as HTMLInputElement).value = ''));
          await el.type(text);
        },
        press: (key) => page.keyboard.press(KEYS[key] as never),
        type: (text) => page.keyboard.type(text),
        close: () => context.close(),
      };
      return wrapped;
    },
    close: () => browser.close(),
  };
}
