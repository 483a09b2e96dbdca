import { chromium } from 'playwright-core';
import type { Browser, Key, LaunchOptions, Page } from './driver.ts';
import { callExpression, fromJson, shadowSteps } from './driver.ts';

export const CHROMIUM = process.env.IYS_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const KEYS: Record<Key, string> = { Tab: 'Tab', Space: 'Space', Enter: 'Enter' };

/** Debian's Chromium through Playwright's library; the time zone is emulated per context. */
export async function launchChromium({ timeZone }: LaunchOptions): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  return {
    engine: 'chromium',
    async newPage() {
      const context = await browser.newContext({ timezoneId: timeZone });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      // Playwright's CSS engine pierces open shadow roots: a descendant step is enough.
      const locate = (selector: string) => page.locator(shadowSteps(selector).join(' ')).first();
      const wrapped: Page = {
        engine: 'chromium',
        errors,
        goto: async (url) => void (await page.goto(url)),
        back: async () => void (await page.goBack()),
        evaluate: async (fn, ...args) => fromJson(await page.evaluate(callExpression(fn, args))),
        click: (selector) => locate(selector).click(),
        fill: (selector, text) => locate(selector).fill(text),
        press: (key) => page.keyboard.press(KEYS[key]),
        type: (text) => page.keyboard.type(text),
        close: () => context.close(),
      };
      return wrapped;
    },
    close: () => browser.close(),
  };
}
