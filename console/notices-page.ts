import { html, nothing, type PropertyDeclarations } from 'lit';
import type { NoticeMatches } from '../shared/console-api.ts';
import type { RegisteredNoticeView } from '../shared/notice-api.ts';
import { api } from './api.ts';
import { ConsoleElement } from './base.ts';
import { turkey } from './format.ts';

type Listed = Omit<RegisteredNoticeView, 'text'>;

/**
 * The notice registry (POST/GET /v1/admin/notices): register a text (version, language, the words as
 * the widget shows them; the collector computes its hash as the widget does), and the registered
 * versions with how many records matched each (GET /v1/admin/notice-matches). A text opens on demand.
 */
export class IysNoticesPage extends ConsoleElement {
  static override properties: PropertyDeclarations = {
    ...ConsoleElement.properties,
    list: { state: true },
    matchCounts: { state: true },
    texts: { state: true },
    message: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  declare list: Listed[] | null;
  declare matchCounts: NoticeMatches | null;
  declare texts: Record<string, string>;
  declare message: string;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.list = null;
    this.matchCounts = null;
    this.texts = {};
    this.message = '';
    this.error = '';
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [list, matches] = await Promise.all([api.notices(), api.noticeMatches()]);
      this.list = list.notices;
      this.matchCounts = matches;
    } catch (e) {
      this.error = this.problem(e);
    }
  }

  private async register(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    this.busy = true;
    try {
      const known = this.list?.some((n) => n.version === field('version').trim() && n.lang === field('lang'));
      const n = await api.registerNotice({ version: field('version').trim(), lang: field('lang'), text: field('text') });
      this.message = known ? this.tx('registeredSame', { v: n.version, l: n.lang }) : this.tx('registeredNew', { v: n.version, l: n.lang, h: n.hash });
      this.error = '';
      form.reset();
      await this.load();
    } catch (err) {
      this.message = '';
      this.error = this.problem(err);
    } finally {
      this.busy = false;
    }
  }

  private async showText(version: string, lang: string): Promise<void> {
    try {
      const { notices } = await api.notice(version);
      const texts = { ...this.texts };
      for (const n of notices) texts[`${n.version}|${n.lang}`] = n.text;
      this.texts = texts;
      (this.querySelector(`[data-text="${CSS.escape(`${version}|${lang}`)}"]`) as HTMLElement | null)?.focus();
    } catch (e) {
      this.error = this.problem(e);
    }
  }

  override render() {
    return html`<h1>${this.tx('noticesTitle')}</h1>
      <p class="muted">${this.tx('noticesHelp')}</p>
      <p class="alert" role="alert">${this.error}</p>
      <p class="note" role="status">${this.message}</p>
      <section class="card" aria-labelledby="register-title">
        <h2 id="register-title">${this.tx('registerTitle')}</h2>
        <form @submit=${this.register}>
          <label for="n-version">${this.tx('noticeVersion')}</label>
          <input id="n-version" name="version" required maxlength="64" autocomplete="off" aria-describedby="n-version-help">
          <p id="n-version-help" class="muted">${this.tx('noticeVersionHelp')}</p>
          <label for="n-lang">${this.tx('noticeLanguage')}</label>
          <select id="n-lang" name="lang"><option value="tr">Türkçe (tr)</option><option value="en">English (en)</option></select>
          <label for="n-text">${this.tx('noticeBody')}</label>
          <textarea id="n-text" name="text" required rows="6" maxlength="20000"></textarea>
          <button type="submit" ?disabled=${this.busy}>${this.tx('register')}</button>
        </form>
      </section>
      ${this.registered()}`;
  }

  private registered() {
    const list = this.list;
    const m = this.matchCounts;
    const matched = (version: string) => m?.versions.find((v) => v.version === version)?.records ?? 0;
    return html`<section aria-labelledby="registered-title">
      <h2 id="registered-title">${this.tx('registeredList')}</h2>
      ${m ? html`<p class="muted">${this.tx('matchNote', { u: m.unmatched, n: m.noNotice, j: m.unjudged })}</p>` : nothing}
      ${!list ? html`<p aria-busy="true">${this.tx('loading')}</p>` : list.length === 0 ? html`<p>${this.tx('noticesNone')}</p>`
        : html`<div class="scroll" tabindex="0" role="region" aria-labelledby="registered-title"><table>
        <thead><tr><th scope="col">${this.tx('noticeVersion')}</th><th scope="col">${this.tx('noticeLanguage')}</th>
          <th scope="col">${this.tx('noticeHash')}</th><th scope="col">${this.tx('noticeRegisteredAt')}</th>
          <th scope="col">${this.tx('matchedRecords')}</th><th scope="col">${this.tx('noticeBody')}</th></tr></thead>
        <tbody>${list.map((n) => {
          const key = `${n.version}|${n.lang}`;
          const text = this.texts[key];
          return html`<tr><td>${n.version}</td><td>${n.lang}</td><td><code class="hash">${n.hash.slice(0, 19)}…</code></td>
            <td>${turkey(n.registeredAt)}</td><td>${matched(n.version).toLocaleString(this.lang)}</td>
            <td>${text === undefined ? html`<button type="button" class="link" @click=${() => this.showText(n.version, n.lang)}
              aria-label=${`${this.tx('showText')}: ${n.version} (${n.lang})`}>${this.tx('showText')}</button>`
              : html`<blockquote tabindex="-1" data-text=${key}>${text}</blockquote>`}</td></tr>`;
        })}</tbody></table></div>`}
    </section>`;
  }
}

customElements.define('iys-notices-page', IysNoticesPage);
