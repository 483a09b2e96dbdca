/**
 * Registers every widget scenario as a vitest test for one engine. The engine's browser runs in
 * America/New_York, far from Turkey, so every consentDate the scenarios check is stamped across a
 * time-zone gap; each scenario gets a stand-in collector and a page of its own.
 * An engine missing from this machine skips its suite with a message, unless
 * IYS_TEST_REQUIRE_BROWSERS=1 (set by .ci/run), where it is a failure.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { engineMissing, LAUNCH, type Browser, type Engine, type Page } from './engines/index.ts';
import { DELIVERY_SCENARIOS } from './scenarios/delivery.ts';
import { FORM_SCENARIOS } from './scenarios/form.ts';
import { PAGE_SCENARIOS } from './scenarios/page.ts';
import { PROOF_SCENARIOS } from './scenarios/proof.ts';
import type { Scenario } from './scenarios/scenario.ts';
import { VERIFY_SCENARIOS } from './scenarios/verify.ts';
import { startWidgetServer } from './widget-server.ts';

export const SCENARIOS: Scenario[] = [...FORM_SCENARIOS, ...PAGE_SCENARIOS, ...DELIVERY_SCENARIOS, ...PROOF_SCENARIOS, ...VERIFY_SCENARIOS];
const TIME_ZONE = 'America/New_York';
const REQUIRE = process.env.IYS_TEST_REQUIRE_BROWSERS === '1';

export function widgetSuite(engine: Engine): void {
  const missing = engineMissing(engine);
  if (missing !== null) {
    if (REQUIRE) throw new Error(`IYS_TEST_REQUIRE_BROWSERS=1 but ${engine} cannot run here: ${missing}`);
    console.warn(`${engine}: ${missing}; its widget tests are SKIPPED (set IYS_TEST_REQUIRE_BROWSERS=1 to make that a failure)`);
  }

  describe.runIf(missing === null)(`the widget in ${engine}`, () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await LAUNCH[engine]({ timeZone: TIME_ZONE });
    }, 60_000);
    afterAll(async () => browser?.close());

    for (const scenario of SCENARIOS) {
      it(scenario.name, async () => {
        const server = await startWidgetServer();
        const page = await browser.newPage();
        const others: Browser[] = [];
        try {
          await scenario.run({
            engine,
            page,
            server,
            async pageIn(timeZone: string): Promise<Page> {
              if (timeZone === TIME_ZONE) return page;
              const other = await LAUNCH[engine]({ timeZone });
              others.push(other);
              return other.newPage();
            },
          });
        } finally {
          await page.close().catch(() => {});
          for (const other of others) await other.close();
          await server.close();
        }
      });
    }
  });
}
