import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { Builder, By, Key as SeleniumKey, type WebDriver, type WebElement } from 'selenium-webdriver';
import type { Browser, Key, LaunchOptions, Page } from './driver.ts';
import { callExpression, fromJson, shadowSteps } from './driver.ts';

export const MINIBROWSER = process.env.IYS_MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const KEYS: Record<Key, string> = { Tab: SeleniumKey.TAB, Space: SeleniumKey.SPACE, Enter: SeleniumKey.ENTER };

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

/** Xvfb on a display it picks itself (-displayfd), so parallel runs never collide. */
function startXvfb(): Promise<{ display: string; proc: ChildProcess }> {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr!.on('data', (d) => (err += String(d)));
    proc.stdio[3]!.once('data', (d) => resolve({ display: `:${String(d).trim()}`, proc }));
    proc.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${err.trim()}`)));
    proc.once('error', reject);
  });
}

async function waitForDriver(url: string, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${proc.exitCode}`);
    if (await fetch(`${url}/status`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('WebKitWebDriver did not answer within 10 s');
}

/**
 * WebKitGTK's MiniBrowser through selenium-webdriver and WebKitWebDriver, on a virtual X display.
 * The time zone is the TZ of WebKitWebDriver, which MiniBrowser inherits. One session is one
 * window: a "new page" is that window again (scenarios isolate their storage by origin instead).
 */
export async function launchWebKit({ timeZone }: LaunchOptions): Promise<Browser> {
  if (!existsSync(MINIBROWSER)) throw new Error(`no MiniBrowser at ${MINIBROWSER} (Debian package webkit2gtk-driver)`);
  const xvfb = await startXvfb();
  const port = await freePort();
  const server = spawn('WebKitWebDriver', [`--port=${port}`, '--host=127.0.0.1'], { env: { ...process.env, DISPLAY: xvfb.display, TZ: timeZone }, stdio: 'ignore' });
  let driver: WebDriver;
  try {
    await waitForDriver(`http://127.0.0.1:${port}`, server);
    driver = await new Builder()
      .usingServer(`http://127.0.0.1:${port}`)
      // No page cache: WebKit keeps even no-store pages in it over plain HTTP (the others do not, and
      // over HTTPS neither does WebKit), and the form-restore scenario needs a page built anew.
      .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation', '--enable-page-cache=false'] } })
      .build();
    await driver.manage().setTimeouts({ script: 20_000, pageLoad: 30_000 });
  } catch (err) {
    server.kill();
    xvfb.proc.kill();
    throw err;
  }

  const find = async (selector: string): Promise<WebElement> => {
    const [first, ...inner] = shadowSteps(selector);
    let el = await driver.findElement(By.css(first!));
    for (const step of inner) el = await (await el.getShadowRoot()).findElement(By.css(step));
    return el;
  };
  const page: Page = {
    engine: 'webkit',
    errors: null,
    goto: (url) => driver.get(url),
    back: () => driver.navigate().back(),
    async evaluate(fn, ...args) {
      const outcome = (await driver.executeAsyncScript(
        `const done = arguments[arguments.length - 1];
         ${callExpression(fn, args)}.then((json) => done({ json }), (e) => done({ error: String(e && e.stack || e) }));`,
      )) as { json?: string; error?: string };
      if (outcome.error !== undefined) throw new Error(`in the page: ${outcome.error}`);
      return fromJson(outcome.json);
    },
    click: async (selector) => (await find(selector)).click(),
    fill: async (selector, text) => {
      const el = await find(selector);
      await el.clear();
      await el.sendKeys(text);
    },
    press: (key) => driver.actions().sendKeys(KEYS[key]).perform(),
    type: (text) => driver.actions().sendKeys(text).perform(),
    close: async () => driver.get('about:blank'),
  };
  return {
    engine: 'webkit',
    newPage: async () => page,
    async close() {
      await driver.quit().catch(() => {});
      server.kill();
      xvfb.proc.kill();
    },
  };
}
