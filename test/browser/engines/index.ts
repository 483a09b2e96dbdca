import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CHROMIUM, launchChromium } from './chromium.ts';
import type { Browser, Engine, LaunchOptions } from './driver.ts';
import { FIREFOX, launchFirefox } from './firefox.ts';
import { launchWebKit, MINIBROWSER } from './webkit.ts';

export type { Browser, Engine, Key, Page } from './driver.ts';
export { ENGINES } from './driver.ts';

export const LAUNCH: Record<Engine, (o: LaunchOptions) => Promise<Browser>> = {
  chromium: launchChromium,
  firefox: launchFirefox,
  webkit: launchWebKit,
};

const onPath = (command: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Why `engine` cannot run on this machine, with the Debian package that brings it; null when it can. */
export function engineMissing(engine: Engine): string | null {
  switch (engine) {
    case 'chromium':
      return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (Debian package chromium, or set IYS_CHROMIUM)`;
    case 'firefox':
      return existsSync(FIREFOX) ? null : `no Firefox at ${FIREFOX} (Debian package firefox-esr, or set IYS_FIREFOX)`;
    case 'webkit': {
      const missing = [
        !onPath('WebKitWebDriver') && 'WebKitWebDriver (webkit2gtk-driver)',
        !existsSync(MINIBROWSER) && `MiniBrowser at ${MINIBROWSER} (webkit2gtk-driver)`,
        !onPath('Xvfb') && 'Xvfb (xvfb)',
      ].filter(Boolean);
      return missing.length ? `missing ${missing.join(', ')}` : null;
    }
  }
}
