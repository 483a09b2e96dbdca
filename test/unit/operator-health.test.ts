import { describe, expect, it } from 'vitest';
import { PAUSE_WORDS } from '../../server/dispatch/account-gate.ts';
import { pauseReason } from '../../server/observability/operator-health.ts';

describe('the words /healthz uses for a paused dispatcher', () => {
  it.each([
    ['401', /API key\/hash is wrong or API access is switched off/],
    ['403', /no active İYS subscription/],
    ['405', /monthly quota/],
    ['422', /refused every record and accepted none .* check IYS_BRAND_CODE/],
    ['operator', /an operator paused sending .* not even a probe/],
    ['599', /^paused: 599$/],
  ])('code %s', (code, words) => {
    expect(pauseReason({ paused: true, reason: code })).toMatch(words);
  });

  it("are the account gate's, for every code that pauses", () => {
    for (const [code, words] of Object.entries(PAUSE_WORDS)) {
      expect(pauseReason({ paused: true, reason: code })).toBe(`paused: ${words.advice}`);
    }
  });

  it('says nothing while sending', () => {
    expect(pauseReason({ paused: false })).toBeNull();
  });
});
