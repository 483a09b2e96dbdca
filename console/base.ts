import { LitElement, type PropertyDeclarations } from 'lit';
import { ApiError } from './api.ts';
import { t, type Lang, type TextKey } from './i18n.ts';

/**
 * What every part of the console shares: it renders into the light DOM, so the one stylesheet
 * (styles.css, print rules included) and the page's landmarks and labels reach it, and it speaks
 * the language the app hands down.
 */
export class ConsoleElement extends LitElement {
  static override properties: PropertyDeclarations = { lang: {} };
  declare lang: Lang;

  constructor() {
    super();
    this.lang = 'tr';
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected tx(key: TextKey, vars?: Record<string, string | number>): string {
    return t(this.lang, key, vars);
  }

  /** A refusal in the person's words: the known cases, else the collector's own message. */
  protected problem(e: unknown): string {
    if (!(e instanceof ApiError)) return this.tx('failed', { m: String(e) });
    if (e.code === 'unreachable') return this.tx('unreachable');
    if (e.code === 'admin-disabled') return this.tx('adminDisabled');
    if (e.code === 'too-many-failures') return this.tx('tooMany', { s: e.retryAfterS ?? 900 });
    if (e.status === 401) return this.tx('wrongToken');
    return this.tx('failed', { m: e.message });
  }
}
