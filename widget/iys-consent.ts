/**
 * <iys-consent>: one checkbox per İYS channel, never pre-checked; the moment the person submits
 * with a box ticked is the consent. It is stamped in Turkey time, tied to the hash of the text
 * shown, and handed to the sender, which keeps it until the collector has acknowledged it.
 */
import { html, LitElement, nothing, type PropertyDeclarations } from 'lit';
import { unmetRecipientNeed } from '../shared/channel-agreement.ts';
import { normaliseRecipient } from '../shared/recipient.ts';
import { CHANNELS } from '../shared/vocabulary.ts';
import { FormAssociated } from './form-associated.ts';
import { flatText, newKey, NOTICE_VERSION, sha256, WIDGET_VERSION } from './notice.ts';
import { send, type Outcome } from './sender.ts';
import { formToken } from './form-token.ts';
import { styles } from './styles.ts';
import type { Channel } from '../shared/enums.ts';
import { pickLang, TEXTS, type Lang } from './texts.ts';
import type { IysChangeDetail, IysConsentElement, IysErrorDetail, IysSentDetail } from './types.d.ts';
import { turkeyTime } from './turkey-now.ts';

export class IysConsent extends FormAssociated implements IysConsentElement {
  static override styles = styles;
  // A blocked submit focuses the invalid control: the host hands that focus to its first box (Firefox
  // otherwise reports the control as not focusable, and focus stays where it was).
  static override shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static override properties: PropertyDeclarations = {
    collector: {},
    channels: {},
    recipientField: { attribute: 'recipient-field' },
    recipientType: { attribute: 'recipient-type' },
    brand: {},
    // `lang` is HTMLElement's own property: observe the attribute under another name.
    langAttr: { attribute: 'lang' },
    mode: {},
    notice: {},
    verify: {},
    required: { type: Boolean },
    registered: { state: true },
    ticked: { state: true },
    status: { state: true },
  };

  declare collector?: string;
  declare channels?: string;
  declare recipientField?: string;
  declare recipientType?: string;
  declare brand?: string;
  declare langAttr?: string;
  declare mode?: string;
  declare notice?: string;
  declare verify?: string;
  declare required?: boolean;
  /** The registered text of `notice`, once the collector gave it. */
  declare registered?: string;
  declare ticked: Channel[];
  declare status: string;

  /** The notice text last hashed, and its hash. */
  #notice: [string, Promise<string | undefined>] = ['', Promise.resolve(undefined)];
  #lastSent = '';
  /** The notice version and language last asked of the collector. */
  #asked?: string;

  constructor() {
    super();
    this.ticked = [];
  }

  get #offered(): Channel[] {
    const asked = (this.channels || 'MESAJ').toUpperCase().split(/\s+/);
    return CHANNELS.filter((c) => asked.includes(c));
  }

  /** The element's own `lang`, else the nearest ancestor's, else Turkish. */
  get language(): Lang {
    return pickLang(this.closest<HTMLElement>('[lang]')?.lang);
  }

  get #t() {
    return TEXTS[this.language];
  }

  get #base(): string {
    return (this.collector || new URL(import.meta.url).origin).replace(/\/+$/, '');
  }

  protected override firstUpdated(): void {
    // The form token is fetched now, so that the person's click never waits for one.
    void formToken(this.#base);
  }

  protected override willUpdate(): void {
    // notice="VERSION": the words come from the collector's registry, so the page cannot show others.
    const key = this.notice && `${encodeURIComponent(this.notice)}?lang=${this.language}`;
    if (key == this.#asked) return;
    this.#asked = key;
    this.registered = undefined;
    if (key) {
      fetch(`${this.#base}/v1/notices/${key}`, { credentials: 'omit' })
        .then((r) => r.json())
        .then((n) => this.#asked == key && (this.registered = n.text), () => {});
    }
  }

  get #recipient(): string {
    const f = this.recipientField;
    // A RadioNodeList has a value too; without recipient-field the widget's own input holds it.
    const el = f ? (this.form?.elements.namedItem(f) ?? document.getElementById(f)) : this.renderRoot.querySelector?.('#r input');
    return (el as HTMLInputElement | null)?.value ?? '';
  }

  protected override render() {
    const t = this.#t;
    const withdraw = this.mode == 'withdraw';
    const off = this.matches(':disabled');
    const kind = this.#offered.every((c) => c == 'EPOSTA') ? 'email' : 'tel';
    const brand = this.brand || location.hostname;
    // prettier-ignore
    return html`<fieldset part="fieldset" @slotchange=${() => this.requestUpdate()}><legend part="legend">${t.legend}</legend><div id="n" part="notice">${this.registered}<slot></slot></div>${
      this.recipientField ? nothing : html`<label id="r">${kind == 'tel' ? t.phone : t.email}<input part="recipient" type=${kind} autocomplete=${kind} ?disabled=${off}></label>`}${
      this.#offered.map((c) => html`<label class="c" part="channel"><input type="checkbox" part="checkbox" value=${c} .checked=${this.ticked.includes(c)} ?disabled=${off} @change=${this.#onTick}><span><slot name=${c}>${this.registered ? t.channel[c] : (withdraw ? t.withdraw : t.consent)(brand, t.channel[c])}</slot></span></label>`)}${
      this.form ? nothing : html`<button part="button" type="button" ?disabled=${off} @click=${this.submitConsent}>${withdraw ? t.revoke : t.save}</button>`
    }<input name="website" tabindex="-1" aria-hidden="true" autocomplete="off"><p role="status" part="status">${this.status}</p></fieldset>`;
  }

  protected override updated(): void {
    this.setValue(this.ticked.join(' '));
    this.validate();
    // Hash ahead of the submit, which a ticked box comes before: a form that navigates away leaves
    // no time to wait for it. Not at the first render, which the checkboxes should not wait for.
    if (this.ticked[0]) void this.#noticeHash();
  }

  /** The hash of the notice as shown now: the text is read again, and hashed again if it changed. */
  #noticeHash(): Promise<string | undefined> {
    // A registered text is hashed alone: it is the whole text, as the registry hashed it.
    const text = flatText(this.renderRoot.querySelectorAll(this.registered ? '#n' : 'legend,#n,.c'));
    if (text != this.#notice[0]) this.#notice = [text, sha256(text)];
    return this.#notice[1];
  }

  readonly #onTick = (e: Event): void => {
    const box = e.target as HTMLInputElement;
    this.ticked = this.#offered.filter((c) => (c == box.value ? box.checked : this.ticked.includes(c)));
    this.status = '';
    this.#emit<IysChangeDetail>('iys-change', { channels: this.ticked });
  };

  /** [message, the control a blocked submit focuses: the first box, or the own recipient input when that is what is wrong]. */
  protected invalidity(): [string, HTMLElement | undefined] | undefined {
    const t = this.#t;
    const q = (s: string) => this.renderRoot.querySelector?.<HTMLElement>(s) ?? undefined;
    if (!this.ticked[0]) return this.required ? [t.required, q('.c input')] : undefined;
    const r = normaliseRecipient(this.#recipient);
    for (const c of this.ticked) {
      if (!r.ok || unmetRecipientNeed(c, r)) return [(c == 'EPOSTA' ? t.email : t.phone) + t.bad, q('#r input,.c input')];
    }
  }

  protected formSubmit(e: Event): void {
    // Disabled (a disabled fieldset around it), it is out of the form's data: out of the consent too.
    if (!this.ticked[0] || this.matches(':disabled')) return;
    // Only where the form skips validation (novalidate): never let through a consent we cannot record.
    if (!this.reportValidity()) e.preventDefault();
    this.submitConsent();
  }

  protected formRestore(state: string): void {
    this.ticked = this.#offered.filter((c) => state.split(' ').includes(c));
    this.status = '';
  }

  /** Sends the ticked channels now: what the form's submit and the own button both do. */
  readonly submitConsent = (): void => {
    const t = this.#t;
    const problem = this.ticked[0] ? this.invalidity() : [t.required];
    if (problem) {
      this.status = problem[0]!;
      this.#emit<IysErrorDetail>('iys-error', { reason: 'invalid' });
      return;
    }
    // Evidence as typed: the collector normalises it and keeps this raw form beside the result.
    const recipient = this.#recipient;
    const channels = this.ticked;
    const status = this.mode == 'withdraw' ? 'RET' : 'ONAY';
    const what = (normaliseRecipient(recipient) as { value: string }).value + channels + status;
    if (what == this.#lastSent) return; // a second click on the same choice is not a second consent
    this.#lastSent = what;
    const consentDate = turkeyTime(Date.now());
    const lang = this.language;
    const url = this.#base + '/v1/consents';
    this.status = t.sending;
    const end = ({ ids, v, reason, retrying, after }: Outcome): void => {
      // The code step is a file of its own, fetched only when a consent awaits its code.
      if (v) return void import(new URL(/* @vite-ignore */ 'iys-consent-verify.js', import.meta.url).href).then((m) => m.codeStep(this, v, lang, url, end));
      this.status = ids ? t.sent : t.failed;
      if (ids) this.#emit<IysSentDetail>('iys-sent', { ids, channels });
      else {
        if (!retrying) this.#lastSent = ''; // refused for good: let the person try again
        this.#emit<IysErrorDetail>('iys-error', { reason: reason!, retryAfter: after });
      }
    };
    void this.#noticeHash().then((hash) =>
      send(
        url,
        {
          recipient,
          recipientType: this.recipientType as 'TACIR' | undefined, // the collector's default: BIREYSEL
          channels,
          status,
          consentDate,
          // Until (unless) the registered text is shown, the built-in sentences are, under their own version.
          // No hash (no WebCrypto: an http page), no notice: the collector refuses a version without its hash.
          notice: hash ? { version: (this.registered && this.notice) || NOTICE_VERSION, hash, lang } : undefined,
          pageUrl: location.origin + location.pathname,
          idempotencyKey: newKey(),
          widgetVersion: WIDGET_VERSION,
          // The honeypot: people never see it, bots that fill every input do. Sent only when filled.
          website: this.renderRoot.querySelector<HTMLInputElement>('[name=website]')!.value || undefined,
          // `sms`: the collector holds the consent until the person types the code it sends; never a withdrawal.
          verify: status == 'ONAY' ? (this.verify as 'sms') : undefined,
        },
        end,
      ),
    );
  };

  #emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}
