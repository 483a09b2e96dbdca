/**
 * The public typing of <iys-consent>: the element, its events and its place in
 * HTMLElementTagNameMap, so `document.querySelector('iys-consent')` is typed. The source class
 * implements IysConsentElement, and the build copies this file next to each bundle in dist/widget.
 * Copied, so it imports nothing: it is shipped as a standalone .d.ts where shared/ does not exist.
 * That is why Channel and Lang are spelled out here again; test/unit/widget-core.test.ts checks
 * that they equal shared/enums.ts's Channel and widget/texts.ts's Lang.
 */
export type Channel = 'MESAJ' | 'EPOSTA' | 'ARAMA';
export type Lang = 'tr' | 'en';
export type IysChangeDetail = { channels: Channel[] };
export type IysSentDetail = { ids: string[]; channels: Channel[] };
/**
 * `invalid`; for a final refusal the collector's error code (`origin-not-allowed`, `invalid-consent`,
 * `unsupported-media-type`, `unknown-notice`); for a refused form token its code (`form-token-expired`…,
 * sent again with a new token); `network` or `http-<status>` otherwise (docs/widget.md#events).
 */
/** `retryAfter`: seconds the collector asked to wait (its Retry-After: a 429, an SMS cap), when it said. */
export type IysErrorDetail = { reason: string; retryAfter?: number };

export interface IysConsentElement extends HTMLElement {
  /** Base URL of the collector; default: the origin this module was loaded from. */
  collector?: string;
  /** Space-separated channels offered: `MESAJ`, `EPOSTA`, `ARAMA` (default `MESAJ`). */
  channels?: string;
  /** Name of a field of the same form (else an element id) holding the recipient. */
  recipientField?: string;
  /** `BIREYSEL` (default) or `TACIR`. */
  recipientType?: string;
  brand?: string;
  /** `consent` (default) or `withdraw` (sends RET). */
  mode?: string;
  /** A notice version registered with the collector: the element shows that text (GET /v1/notices/{version}) and posts its version. */
  notice?: string;
  /** `sms`: the collector sends a code to the number and registers the consent only once it is typed (loads iys-consent-verify.js then). */
  verify?: string;
  required?: boolean;
  /** The channels ticked now. */
  ticked: Channel[];
  /** The language in use: the element's `lang`, else the nearest ancestor's, else `tr`. */
  readonly language: Lang;
  readonly form: HTMLFormElement | null;
  readonly validationMessage: string;
  checkValidity(): boolean;
  reportValidity(): boolean;
  /** Sends the ticked channels now (what the form submit and the own button do). */
  submitConsent(): void;
}

/** The element's class (defined as `iys-consent` by the module itself). */
export declare const IysConsent: { new (): IysConsentElement; prototype: IysConsentElement; readonly formAssociated: true };

declare global {
  interface HTMLElementTagNameMap {
    'iys-consent': IysConsentElement;
  }
  interface HTMLElementEventMap {
    'iys-change': CustomEvent<IysChangeDetail>;
    'iys-sent': CustomEvent<IysSentDetail>;
    'iys-error': CustomEvent<IysErrorDetail>;
  }
}
