import { html, nothing, type PropertyDeclarations } from 'lit';
import type { RecipientView } from '../shared/console-api.ts';
import { session, whenUnauthorized } from './api.ts';
import { ConsoleElement } from './base.ts';
import { initialLang, keepLang } from './i18n.ts';
import './sign-in.ts';
import './dashboard.ts';
import './recipient-page.ts';
import './report-page.ts';
import './notices-page.ts';

/** Where the console is: a hash route, so a reload stays put and no URL ever holds a phone number. */
type Route = { page: 'dashboard' } | { page: 'recipient'; ref: string | null } | { page: 'report'; ref: string } | { page: 'notices' };

function routeOf(hash: string): Route {
  const [, page, ref] = /^#\/([a-z]+)(?:\/([\w-]+))?$/.exec(hash) ?? [];
  if (page === 'recipient') return { page, ref: ref ?? null };
  if (page === 'report' && ref) return { page, ref };
  if (page === 'notices') return { page };
  return { page: 'dashboard' };
}

/**
 * <iys-console>: the whole console. Signed out it shows the sign-in and nothing else; signed in, a
 * header (language switch, sign-out), the navigation and one page of the route.
 */
export class IysConsoleApp extends ConsoleElement {
  static override properties: PropertyDeclarations = {
    ...ConsoleElement.properties,
    signedIn: { state: true },
    route: { state: true },
    notice: { state: true },
  };
  declare signedIn: boolean;
  declare route: Route;
  declare notice: string;
  /** A recipient the search just found, handed to its page so it is not fetched twice. */
  private found: RecipientView | null = null;
  private readonly onHash = () => {
    this.route = routeOf(location.hash);
  };

  constructor() {
    super();
    this.lang = initialLang();
    this.signedIn = session.token() !== null;
    this.route = routeOf(location.hash);
    this.notice = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    keepLang(this.lang);
    addEventListener('hashchange', this.onHash);
    whenUnauthorized(() => {
      this.signedIn = false;
      this.notice = this.tx('wrongToken');
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.onHash);
  }

  private switchLang(): void {
    this.lang = this.lang === 'tr' ? 'en' : 'tr';
    keepLang(this.lang);
  }

  private signOut(): void {
    session.drop();
    this.signedIn = false;
    this.notice = '';
  }

  private showRecipient(e: CustomEvent<RecipientView>): void {
    this.found = e.detail;
    location.hash = `#/recipient/${e.detail.ref}`;
  }

  override render() {
    const lang = this.lang;
    const langButton = html`<button type="button" class="link" lang=${lang === 'tr' ? 'en' : 'tr'} aria-label=${this.tx('switchLangLabel')}
      @click=${this.switchLang}>${this.tx('switchLang')}</button>`;
    if (!this.signedIn) {
      return html`<header class="top"><p class="brand">${this.tx('appTitle')}</p>${langButton}</header>
        <main id="main"><iys-sign-in .lang=${lang} .notice=${this.notice}
          @signed-in=${() => { this.signedIn = true; this.notice = ''; }}></iys-sign-in></main>`;
    }
    const r = this.route;
    const current = (page: Route['page']) => (r.page === page ? 'page' : nothing);
    return html`<header class="top">
        <p class="brand">${this.tx('appTitle')}</p>
        <nav aria-label=${this.tx('nav')}>
          <a href="#/" aria-current=${current('dashboard')}>${this.tx('navDashboard')}</a>
          <a href="#/recipient" aria-current=${current('recipient')}>${this.tx('navRecipient')}</a>
          <a href="#/notices" aria-current=${current('notices')}>${this.tx('navNotices')}</a>
        </nav>
        <div class="top-actions">${langButton}<button type="button" class="link" @click=${this.signOut}>${this.tx('signOut')}</button></div>
      </header>
      <main id="main">${this.page(r)}</main>`;
  }

  private page(r: Route) {
    const lang = this.lang;
    if (r.page === 'recipient') {
      const view = this.found && this.found.ref === r.ref ? this.found : null;
      return html`<iys-recipient-page .lang=${lang} .ref=${r.ref} .view=${view} @found=${this.showRecipient}></iys-recipient-page>`;
    }
    if (r.page === 'report') return html`<iys-report-page .lang=${lang} .ref=${r.ref}></iys-report-page>`;
    if (r.page === 'notices') return html`<iys-notices-page .lang=${lang}></iys-notices-page>`;
    return html`<iys-dashboard .lang=${lang}></iys-dashboard>`;
  }
}

customElements.define('iys-console', IysConsoleApp);
