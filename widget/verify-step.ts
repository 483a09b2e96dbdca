/**
 * The code step of <iys-consent verify="sms">: a second file (iys-consent-verify.js), loaded by the
 * element only when the collector answers that the consent awaits its SMS code, so pages without
 * `verify` never fetch it. Plain DOM in the element's shadow root, no Lit: the base bundle's Lit is
 * not shared with it, and a form of one input needs none.
 */
import type { PendingVerification } from '../shared/verification.ts';
import type { Lang } from './texts.ts';
import type { Outcome } from './sender.ts';

type Words = {
  label: string;
  hint: (to: string) => string;
  send: string;
  checking: string;
  wrong: (left: number) => string;
  format: string;
  expired: string;
  locked: string;
  failed: string;
};

const WORDS: Record<Lang, Words> = {
  tr: {
    label: 'Doğrulama kodu',
    hint: (to) => `${to} numarasına SMS ile gönderilen 6 haneli kodu girin.`,
    send: 'Onayla',
    checking: 'Kontrol ediliyor…',
    wrong: (n) => `Kod yanlış. ${n} deneme hakkınız kaldı.`,
    format: 'Kod 6 rakamdan oluşur.',
    expired: 'Kodun süresi doldu. İzni yeniden gönderin.',
    locked: 'Çok fazla yanlış deneme. İzni yeniden gönderin.',
    failed: 'Kod gönderilemedi. Yeniden deneyin.',
  },
  en: {
    label: 'Verification code',
    hint: (to) => `Enter the 6-digit code sent by SMS to ${to}.`,
    send: 'Confirm',
    checking: 'Checking…',
    wrong: (n) => `Wrong code. ${n} tries left.`,
    format: 'The code has 6 digits.',
    expired: 'The code has expired. Send the consent again.',
    locked: 'Too many wrong codes. Send the consent again.',
    failed: 'Could not check the code. Try again.',
  },
};

const CSS = `#v{margin-top:8px}#v label{flex-direction:column}#v input{font:inherit;letter-spacing:.3em;width:9ch}#v [role=alert]:empty{display:none}#v [role=alert]{color:var(--iys-error,#b00020)}`;

let sheet: CSSStyleSheet | undefined;

/**
 * Shows the code step under the element's fieldset and posts the typed code to
 * `{collector}/v1/verifications/{id}`; `end` is the element's own outcome handler: ids once the
 * records are made, or the refusal that ends the step (the person may then send the consent again).
 */
export function codeStep(host: HTMLElement & { status: string }, v: PendingVerification, lang: Lang, consentsUrl: string, end: (o: Outcome) => void): void {
  const root = host.shadowRoot!;
  const w = WORDS[lang];
  root.getElementById('v')?.remove();
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];

  const form = document.createElement('form');
  form.id = 'v';
  form.setAttribute('part', 'code-step');
  form.noValidate = true;
  const label = document.createElement('label');
  const input = document.createElement('input');
  Object.assign(input, { name: 'code', maxLength: 6, required: true, pattern: '[0-9]{6}' });
  // Attributes, not properties: an engine that does not know a token ignores the property.
  for (const [k, val] of [['part', 'code'], ['inputmode', 'numeric'], ['autocomplete', 'one-time-code']]) input.setAttribute(k!, val!);
  input.setAttribute('aria-describedby', 'vh ve');
  label.append(w.label, input);
  const hint = document.createElement('p');
  hint.id = 'vh';
  hint.textContent = w.hint(v.sentTo);
  const button = document.createElement('button');
  button.textContent = w.send;
  button.setAttribute('part', 'button');
  // Errors are announced as they come (aria-live through role=alert) and tied to the input.
  const error = document.createElement('p');
  error.id = 've';
  error.setAttribute('role', 'alert');
  form.append(hint, label, button, error);
  root.append(form);
  host.status = '';
  input.focus();

  let left = v.attemptsLeft;
  const say = (text: string, bad: boolean) => {
    error.textContent = text;
    input.setAttribute('aria-invalid', String(bad));
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const code = input.value.replace(/\s/g, '');
    if (!/^\d{6}$/.test(code)) return say(w.format, true);
    button.disabled = true;
    host.status = w.checking;
    let answer: { ids?: string[]; error?: { code?: string; message?: string } } = {};
    let status = 0;
    try {
      // A string body goes as text/plain: a "simple" request, no CORS preflight.
      const res = await fetch(consentsUrl.replace(/\/v1\/consents$/, `/v1/verifications/${encodeURIComponent(v.id)}`), {
        method: 'POST', body: JSON.stringify({ code }), credentials: 'omit',
      });
      status = res.status;
      answer = await res.json().catch(() => ({}));
    } catch {
      /* offline: said below, and the person can try again */
    }
    button.disabled = false;
    host.status = '';
    const refusal = answer.error?.code;
    if (status == 200 && answer.ids) {
      form.remove();
      return end({ ids: answer.ids });
    }
    if (refusal == 'verification-code-wrong') {
      input.value = '';
      input.focus();
      return say(w.wrong(--left), true);
    }
    if (status == 410 || status == 404) {
      form.remove();
      end({ reason: refusal ?? `http-${status}` });
      // After the element's own words for a refusal: this one says what to do.
      host.status = refusal == 'verification-locked' ? w.locked : w.expired;
      return;
    }
    say(w.failed, false);
  });
}
