/**
 * verify="sms": the code step against the real collector and its sandbox (send-sms, consent/create,
 * a running dispatcher), loaded as its own file only by a widget that asks for it; accessible, in
 * Turkish and English; the consent reaches İYS only after the right code.
 */
import { expect } from 'vitest';
import { codeSentTo, startVerifyRig } from '../../integration/verification-harness.ts';
import { waitFor } from '../../integration/dispatch-harness.ts';
import type { Page } from '../engines/index.ts';
import { axeViolations } from './page.ts';
import { consentStandalone, events, open, recordEvents, statusBecomes, until, type Scenario } from './scenario.ts';

const RECIPIENT = '+905321234567';
const CODE_INPUT = 'iys-consent >>> #v input';

/** The code step's accessible parts, as the page has them. */
const codeStep = (page: Page) =>
  page.evaluate(() => {
    const root = document.querySelector('iys-consent')!.shadowRoot!;
    const input = root.querySelector<HTMLInputElement>('#v input');
    if (!input) return null;
    const describedBy = (input.getAttribute('aria-describedby') ?? '').split(' ').map((id) => root.getElementById(id)?.textContent ?? '');
    return {
      label: input.closest('label')!.firstChild!.textContent,
      // The attributes: an engine that does not know a token reads back "" through the property.
      autocomplete: input.getAttribute('autocomplete'),
      inputMode: input.getAttribute('inputmode'),
      describedBy,
      alertRole: root.querySelector('#ve')!.getAttribute('role'),
      focused: root.activeElement === input,
    };
  });

const alertText = (page: Page) => page.evaluate(() => document.querySelector('iys-consent')!.shadowRoot!.querySelector('#ve')?.textContent ?? null);

async function typeCode(page: Page, code: string): Promise<void> {
  await page.fill(CODE_INPUT, code);
  await page.click('iys-consent >>> #v button');
}

const wrongOf = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

export const VERIFY_SCENARIOS: Scenario[] = [
  {
    name: 'verify="sms": the code step loads as its own file, is accessible, takes a wrong code and then the right one; only then does the consent reach İYS',
    async run(t) {
      const rig = await startVerifyRig({ allowedOrigins: [t.server.origin] });
      try {
        await open(t.page, t.server.page('verify-tr', `<iys-consent channels="MESAJ" verify="sms" collector="${rig.url}"></iys-consent>`));
        expect(t.server.verifyStepLoads).toBe(0); // not before a consent awaits its code
        await recordEvents(t.page);
        await consentStandalone(t.page, '0532 123 45 67');
        await until(t.page, () => !!document.querySelector('iys-consent')!.shadowRoot!.querySelector('#v input'));
        expect(t.server.verifyStepLoads).toBe(1);
        expect(await codeStep(t.page)).toEqual({
          label: 'Doğrulama kodu', autocomplete: 'one-time-code', inputMode: 'numeric',
          describedBy: ['+90532*****67 numarasına SMS ile gönderilen 6 haneli kodu girin.', ''], alertRole: 'alert', focused: true,
        });
        expect(await axeViolations(t.page)).toEqual([]);

        const code = codeSentTo(rig.sandbox, RECIPIENT);
        expect(await rig.store.byRecipient(RECIPIENT)).toEqual([]);
        expect(rig.sandbox.state.records()).toEqual([]);

        await typeCode(t.page, '12');
        await until(t.page, () => document.querySelector('iys-consent')!.shadowRoot!.querySelector('#ve')!.textContent === 'Kod 6 rakamdan oluşur.');
        await typeCode(t.page, wrongOf(code));
        await until(t.page, () => document.querySelector('iys-consent')!.shadowRoot!.querySelector('#ve')!.textContent === 'Kod yanlış. 4 deneme hakkınız kaldı.');
        expect(await t.page.evaluate(() => document.querySelector('iys-consent')!.shadowRoot!.querySelector('#v input')!.getAttribute('aria-invalid'))).toBe('true');
        expect(await axeViolations(t.page)).toEqual([]);
        expect(await rig.store.byRecipient(RECIPIENT)).toEqual([]);

        await typeCode(t.page, code);
        await statusBecomes(t.page, 'Kaydedildi.');
        expect(await alertText(t.page)).toBeNull(); // the step is gone
        const sent = ((await events(t.page)) as [string, { ids?: string[] }][]).filter(([type]) => type === 'iys-sent');
        expect(sent).toHaveLength(1);
        await waitFor('the verified consent registered at İYS', async () => (await rig.store.byRecipient(RECIPIENT)).some((r) => r.state === 'registered'), 20_000);
        const [record] = await rig.store.byRecipient(RECIPIENT);
        expect(sent[0]![1].ids).toEqual([record!.id]);
        expect(record!.evidence.verification).toMatchObject({ method: 'sms', attempts: 2 });
      } finally {
        await rig.close();
      }
    },
  },
  {
    name: 'verify="sms" in English; a widget without verify never loads the code step',
    async run(t) {
      const rig = await startVerifyRig({ allowedOrigins: [t.server.origin] });
      try {
        await open(t.page, t.server.page('plain', `<iys-consent channels="MESAJ" collector="${rig.url}"></iys-consent>`));
        await consentStandalone(t.page, '0532 765 43 21');
        await statusBecomes(t.page, 'Kaydedildi.');
        expect(t.server.verifyStepLoads).toBe(0);
        expect(rig.sandbox.sms.messages()).toEqual([]);

        await open(t.page, t.server.page('verify-en', `<iys-consent channels="MESAJ" verify="sms" collector="${rig.url}"></iys-consent>`, { lang: 'en' }));
        await consentStandalone(t.page, '0532 123 45 67');
        await until(t.page, () => !!document.querySelector('iys-consent')!.shadowRoot!.querySelector('#v input'));
        expect(await codeStep(t.page)).toMatchObject({ label: 'Verification code', describedBy: ['Enter the 6-digit code sent by SMS to +90532*****67.', ''] });
        await typeCode(t.page, wrongOf(codeSentTo(rig.sandbox, RECIPIENT)));
        await until(t.page, () => document.querySelector('iys-consent')!.shadowRoot!.querySelector('#ve')!.textContent === 'Wrong code. 4 tries left.');
        await typeCode(t.page, codeSentTo(rig.sandbox, RECIPIENT));
        await statusBecomes(t.page, 'Saved.');
      } finally {
        await rig.close();
      }
    },
  },
  {
    name: 'verify="sms" on a withdrawal form: the RET goes straight to the collector, no code asked, no SMS',
    async run(t) {
      const rig = await startVerifyRig({ allowedOrigins: [t.server.origin] });
      try {
        await open(t.page, t.server.page('verify-ret', `<iys-consent channels="MESAJ" mode="withdraw" verify="sms" collector="${rig.url}"></iys-consent>`));
        await consentStandalone(t.page, '0532 123 45 67');
        await statusBecomes(t.page, 'Kaydedildi.');
        expect(t.server.verifyStepLoads).toBe(0);
        expect(rig.sandbox.sms.messages()).toEqual([]);
        expect((await rig.store.byRecipient(RECIPIENT)).map((r) => r.status)).toEqual(['RET']);
      } finally {
        await rig.close();
      }
    },
  },
];
