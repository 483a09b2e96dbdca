import { html, type PropertyDeclarations } from 'lit';
import { api } from './api.ts';
import { ConsoleElement } from './base.ts';

/**
 * The sign-in: the admin token, checked against the collector before it is kept (a wrong one is
 * answered 401, shows a message and nothing else, and is not stored). The field is a password
 * field, so the token is not shown or offered for autocompletion.
 */
export class IysSignIn extends ConsoleElement {
  static override properties: PropertyDeclarations = { ...ConsoleElement.properties, notice: {}, busy: { state: true } };
  declare notice: string;
  declare busy: boolean;

  constructor() {
    super();
    this.notice = '';
    this.busy = false;
  }

  private async submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const field = form.elements.namedItem('token') as HTMLInputElement;
    const token = field.value.trim();
    if (!token) return field.focus();
    this.busy = true;
    try {
      await api.signIn(token);
      field.value = '';
      this.dispatchEvent(new CustomEvent('signed-in', { bubbles: true }));
    } catch (err) {
      this.notice = this.problem(err);
      field.select();
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`<section class="card sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">${this.tx('signInTitle')}</h1>
      <p id="token-help">${this.tx('signInHelp')}</p>
      <form @submit=${this.submit} novalidate>
        <label for="token">${this.tx('tokenLabel')}</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required aria-describedby="token-help"
          aria-invalid=${this.notice ? 'true' : 'false'}>
        <button type="submit" ?disabled=${this.busy}>${this.tx('signIn')}</button>
      </form>
      <p class="alert" role="alert">${this.notice}</p>
    </section>`;
  }
}

customElements.define('iys-sign-in', IysSignIn);
