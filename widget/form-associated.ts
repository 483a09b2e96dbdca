/**
 * Form behaviour in one place: a LitElement that takes part in its form like a native control
 * (value under its `name`, validity, reset, restore, disabled) and hears the form's submit.
 * The element on top only renders and says what its value and validity are.
 */
import { LitElement } from 'lit';

export abstract class FormAssociated extends LitElement {
  static formAssociated = true;

  readonly #internals: ElementInternals = this.attachInternals();
  #hooked: HTMLFormElement | null = null;

  /** Called in the capture phase of the form's submit, before any handler of the page can cancel it. */
  protected abstract formSubmit(event: Event): void;
  protected abstract formRestore(state: string): void;
  /** [message, anchor] when invalid, else undefined. */
  protected abstract invalidity(): [string, HTMLElement | undefined] | undefined;

  get form(): HTMLFormElement | null { return this.#internals.form; }
  get validationMessage(): string { return this.#internals.validationMessage; }
  checkValidity(): boolean { return this.#internals.checkValidity(); }
  reportValidity(): boolean { return this.#internals.reportValidity(); }

  protected setValue(value: string): void {
    this.#internals.setFormValue(value || null, value);
  }

  /** Re-reads validity; call after anything it depends on changed. */
  protected validate(): void {
    const problem = this.invalidity();
    this.#internals.setValidity(problem ? { customError: true } : {}, problem?.[0], problem?.[1]);
  }

  /** The form's submit sends; its input may change the recipient this element's validity depends on. */
  handleEvent(e: Event): void {
    if (e.type === 'submit') this.formSubmit(e);
    else this.validate();
  }

  #hook(form: HTMLFormElement | null): void {
    for (const type of ['submit', 'input']) {
      this.#hooked?.removeEventListener(type, this, true);
      form?.addEventListener(type, this, true);
    }
    this.#hooked = form;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#hook(this.form);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#hook(null);
  }

  formAssociatedCallback(form: HTMLFormElement | null): void {
    this.#hook(form);
    this.requestUpdate();
  }

  formResetCallback(): void { this.formRestore(''); }

  formStateRestoreCallback(state: string | null): void { this.formRestore(state ?? ''); }

  /** Render reads `:disabled`, which covers a disabled fieldset around the element too. */
  formDisabledCallback(): void { this.requestUpdate(); }
}
