import { html, nothing, type PropertyDeclarations } from 'lit';
import type { DeadlineItem, Overview, SendingView } from '../shared/console-api.ts';
import { RECORD_STATES } from '../shared/vocabulary.ts';
import { api } from './api.ts';
import { ConsoleElement } from './base.ts';
import { dash, turkey } from './format.ts';
import type { TextKey } from './i18n.ts';
import './readback-figures.ts';
import './requests-chart.ts';

/** How often the dashboard asks again while the tab is visible, and how far back its chart looks. */
export const REFRESH_S = 15;
const CHART_HOURS = 24;

/**
 * The dashboard: records by state, the pending records closest to their deadline (masked; a click
 * opens the recipient), sending (the operator's pause, iletiMerkezi's pause and its words, the
 * back-off), and the requests of the last hours. It refreshes itself every REFRESH_S seconds while
 * the tab is visible, and at once when it becomes visible again.
 * Read-back's figures (İYS's confirmations, the records it holds that we did not send) come in the
 * same overview, as one more section.
 */
export class IysDashboard extends ConsoleElement {
  static override properties: PropertyDeclarations = {
    ...ConsoleElement.properties,
    overview: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  declare overview: Overview | null;
  declare error: string;
  declare busy: boolean;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly onVisibility = () => this.schedule();

  constructor() {
    super();
    this.overview = null;
    this.error = '';
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisibility);
    this.schedule();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisibility);
    clearInterval(this.timer);
  }

  /** Polls only while the tab is visible: a console left open in the background asks nothing. */
  private schedule(): void {
    clearInterval(this.timer);
    if (document.visibilityState !== 'visible') return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_S * 1000);
  }

  private async refresh(): Promise<void> {
    try {
      this.overview = await api.overview(CHART_HOURS);
      this.error = '';
    } catch (e) {
      this.error = this.problem(e);
    }
  }

  private async setSending(action: 'pause' | 'resume'): Promise<void> {
    this.busy = true;
    try {
      const { sending } = await api.setSending(action);
      if (this.overview) this.overview = { ...this.overview, sending };
      this.error = '';
    } catch (e) {
      this.error = this.problem(e);
    } finally {
      this.busy = false;
    }
  }

  protected override updated(): void {
    // For the benchmark and the tests: the first render with data.
    if (this.overview && !performance.getEntriesByName('console-dashboard').length) performance.mark('console-dashboard');
  }

  override render() {
    const o = this.overview;
    return html`<h1>${this.tx('dashboardTitle')}</h1>
      <p class="alert" role="alert">${this.error}</p>
      ${o ? this.body(o) : html`<p aria-busy="true">${this.tx('loading')}</p>`}`;
  }

  private body(o: Overview) {
    return html`<p class="muted">${this.tx('refreshedAt', { t: turkey(o.at), n: REFRESH_S })}</p>
      <section aria-labelledby="counts-title">
        <h2 id="counts-title">${this.tx('counts')}</h2>
        <ul class="counts">${RECORD_STATES.map((s) => html`<li class=${`count state-${s}`}><span class="n">${o.counts[s].toLocaleString(this.lang)}</span>
          <span>${this.tx(s as TextKey)}</span></li>`)}</ul>
      </section>
      <div class="columns">
        ${this.sendingPanel(o.sending)}
        <section class="card"><iys-requests-chart .lang=${this.lang} .requests=${o.requests}></iys-requests-chart></section>
      </div>
      <iys-readback-figures .lang=${this.lang} .figures=${o.readback}></iys-readback-figures>
      ${this.nearest(o.nearestDeadlines, Date.parse(o.at))}`;
  }

  private sendingPanel(s: SendingView | null) {
    let state;
    if (!s) state = html`<p>${this.tx('noDispatcher')}</p>`;
    else {
      const lines = [
        s.heldByOperator ? this.tx('sendingHeld', { t: turkey(s.heldByOperator.since) }) : null,
        s.paused ? this.tx('sendingPaused', { c: s.paused.code, a: s.paused.advice, t: turkey(s.paused.nextProbeAt) }) : null,
        s.backoffUntil ? this.tx('backoff', { t: turkey(s.backoffUntil) }) : null,
      ].filter((l): l is string => l !== null);
      state = html`<p class=${lines.length ? 'status-bad' : 'status-ok'}>${lines.length ? lines.join(' ') : this.tx('sendingOn')}</p>
        ${s.inFlight > 0 ? html`<p>${this.tx('inFlight', { n: s.inFlight })}</p>` : nothing}
        ${s.lastOutcome ? html`<p class="muted">${this.tx('lastOutcome', {
          k: s.lastOutcome.kind, c: dash(s.lastOutcome.code), m: s.lastOutcome.message, n: s.lastOutcome.size, t: turkey(s.lastOutcome.at),
        })}</p>` : nothing}
        <button type="button" ?disabled=${this.busy} @click=${() => this.setSending(s.heldByOperator ? 'resume' : 'pause')}>
          ${this.tx(s.heldByOperator ? 'resume' : 'pause')}</button>`;
    }
    return html`<section class="card" aria-labelledby="sending-title"><h2 id="sending-title">${this.tx('sendingTitle')}</h2>${state}</section>`;
  }

  private nearest(items: DeadlineItem[], now: number) {
    const left = (deadline: string) => {
      const ms = Date.parse(deadline) - now;
      return ms <= 0 ? this.tx('overdue') : this.tx('hoursMinutes', { h: Math.floor(ms / 3_600_000), m: Math.floor((ms % 3_600_000) / 60_000) });
    };
    return html`<section aria-labelledby="nearest-title">
      <h2 id="nearest-title">${this.tx('nearestTitle')}</h2>
      ${items.length === 0 ? html`<p>${this.tx('nearestNone')}</p>` : html`<div class="scroll" tabindex="0" role="region" aria-labelledby="nearest-title"><table>
        <thead><tr><th scope="col">${this.tx('recipient')}</th><th scope="col">${this.tx('channel')}</th><th scope="col">${this.tx('status')}</th>
          <th scope="col">${this.tx('consentDate')}</th><th scope="col">${this.tx('timeLeft')}</th><th scope="col">${this.tx('attempts')}</th>
          <th scope="col">${this.tx('lastAnswer')}</th></tr></thead>
        <tbody>${items.map((r) => html`<tr>
          <td><a href=${`#/recipient/${r.id}`}>${r.recipient}</a></td><td>${r.type}</td><td>${r.status}</td><td>${r.consentDate}</td>
          <td>${left(r.deadlineAt)}</td><td>${r.attempts}</td><td>${dash(r.lastAnswer)}</td></tr>`)}</tbody>
      </table></div>`}
    </section>`;
  }
}

customElements.define('iys-dashboard', IysDashboard);
