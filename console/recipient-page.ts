import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { ConsoleRecord, RecipientView, Reveal } from '../shared/console-api.ts';
import { ApiError, api } from './api.ts';
import { ConsoleElement } from './base.ts';
import { dash, turkey } from './format.ts';
import type { TextKey } from './i18n.ts';
import { channelConfirmation, noticeText, proofRows, readbackRows } from './record-proof.ts';

/** While a record of the recipient is pending, the page asks again this often: a re-queue is watched until it settles. */
const PENDING_REFRESH_MS = 2000;

/**
 * A recipient: the search (any form of the number or address; the collector normalises it), then per
 * channel every consent and withdrawal in time order, each with its evidence, every answer İYS gave
 * through iletiMerkezi, its state and reason, and re-queue for a rejected or expired one. The
 * recipient is masked; revealing it is a button, and the collector logs each reveal.
 *
 * Read-back adds İYS's confirmation to each channel and record, and the records İYS holds that the
 * collector did not send (observed) in the timeline with İYS's fields; proof adds the notice
 * registry's match with the registered text, the SMS code and the form token's age (record-proof.ts).
 */
export class IysRecipientPage extends ConsoleElement {
  static override properties: PropertyDeclarations = {
    ...ConsoleElement.properties,
    ref: {},
    view: { attribute: false },
    revealed: { state: true },
    confirming: { state: true },
    message: { state: true },
    error: { state: true },
  };
  declare ref: string | null;
  declare view: RecipientView | null;
  declare revealed: Reveal | null;
  declare confirming: string | null;
  declare message: string;
  declare error: string;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.ref = null;
    this.view = null;
    this.revealed = null;
    this.confirming = null;
    this.message = '';
    this.error = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('ref')) {
      this.revealed = null;
      this.message = '';
      if (this.ref && (!this.view || this.view.ref !== this.ref)) void this.load();
    }
  }

  protected override updated(): void {
    clearTimeout(this.timer);
    const pending = this.view?.channels.some((c) => c.records.some((r) => r.state === 'pending'));
    if (pending && this.ref) this.timer = setTimeout(() => void this.load(), PENDING_REFRESH_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
  }

  private async load(): Promise<void> {
    if (!this.ref) return;
    try {
      this.view = await api.recipient(this.ref);
      this.error = '';
    } catch (e) {
      this.error = e instanceof ApiError && e.status === 404 ? this.tx('notFound') : this.problem(e);
    }
  }

  private async search(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const field = (e.target as HTMLFormElement).elements.namedItem('who') as HTMLInputElement;
    if (!field.value.trim()) return field.focus();
    try {
      const view = await api.lookup(field.value);
      // What was typed is the person's number: it leaves the page once found.
      field.value = '';
      this.error = '';
      this.view = view;
      this.dispatchEvent(new CustomEvent('found', { detail: view, bubbles: true }));
    } catch (err) {
      this.error = err instanceof ApiError && err.status === 404 ? this.tx('notFound')
        : err instanceof ApiError && err.status === 422 ? this.tx('badRecipient') : this.problem(err);
    }
  }

  private async toggleReveal(): Promise<void> {
    if (this.revealed) {
      this.revealed = null;
      return;
    }
    try {
      this.revealed = await api.reveal(this.view!.ref);
    } catch (e) {
      this.error = this.problem(e);
    }
  }

  private async requeue(id: string): Promise<void> {
    this.confirming = null;
    try {
      const made = await api.requeue(id);
      this.message = this.tx('requeued', { id: made.id });
      this.error = '';
      await this.load();
    } catch (e) {
      this.message = '';
      this.error = this.problem(e);
    }
  }

  override render() {
    const v = this.view;
    return html`<section class="card search" aria-labelledby="search-title">
        ${v ? html`<h2 id="search-title">${this.tx('searchTitle')}</h2>` : html`<h1 id="search-title">${this.tx('searchTitle')}</h1>`}
        <form role="search" @submit=${this.search}>
          <label for="who">${this.tx('searchLabel')}</label>
          <div class="row"><input id="who" name="who" type="search" autocomplete="off" spellcheck="false" aria-describedby="who-help">
          <button type="submit">${this.tx('search')}</button></div>
          <p id="who-help" class="muted">${this.tx('searchHelp')}</p>
        </form>
      </section>
      <p class="alert" role="alert">${this.error}</p>
      <p class="note" role="status">${this.message}</p>
      ${v ? this.recipient(v) : nothing}`;
  }

  private recipient(v: RecipientView) {
    const shown = this.revealed?.recipient ?? v.recipient;
    return html`<div class="recipient-head">
        <h1>${this.tx('recipientTitle', { r: shown })}</h1>
        <div class="actions">
          <button type="button" aria-describedby="reveal-note"
            @click=${this.toggleReveal}>${this.tx(this.revealed ? 'hide' : 'reveal')}</button>
          <a class="button" href=${`#/report/${v.ref}`}>${this.tx('auditReport')}</a>
        </div>
        <p id="reveal-note" class="muted">${this.tx('revealNote')}</p>
      </div>
      ${v.channels.map((c) => html`<section class="channel" aria-labelledby=${`ch-${c.type}`}>
        <h2 id=${`ch-${c.type}`}>${this.tx('channel')}: ${c.type}</h2>
        <p>${this.tx('channelState', { s: this.current(c.records) })} ${channelConfirmation(this.tx.bind(this), c.records)}</p>
        <ol class="timeline">${c.records.map((r) => this.record(r, v.notices))}</ol>
      </section>`)}`;
  }

  /** The latest registered record of a channel: what İYS holds according to the ledger. */
  private current(records: ConsoleRecord[]): string {
    const held = records.filter((r) => r.state === 'registered').at(-1);
    if (!held) return this.tx('stateNone');
    return this.tx(held.status === 'ONAY' ? 'stateGiven' : 'stateWithdrawn', { d: held.consentDate });
  }

  private record(r: ConsoleRecord, notices: RecipientView['notices']) {
    const tx = this.tx.bind(this);
    const e = r.evidence;
    const asTyped = this.revealed?.asEntered.find((a) => a.id === r.id)?.rawRecipient ?? e.rawRecipient;
    const row = (key: TextKey, value: string) => html`<dt>${this.tx(key)}</dt><dd>${value}</dd>`;
    const canRequeue = (r.state === 'rejected' || r.state === 'expired') && !r.requeuedAs;
    return html`<li class=${`event state-${r.state}`}>
      <article aria-labelledby=${`rec-${r.id}`}>
        <h3 id=${`rec-${r.id}`}><span class=${`badge ${r.status === 'ONAY' ? 'given' : 'withdrawn'}`}>${r.status}</span>
          ${this.tx(r.status === 'ONAY' ? 'given' : 'withdrawn')}, ${r.consentDate}
          <span class=${`badge state-${r.state}`}>${this.tx(`state.${r.state}` as TextKey)}</span>
          ${r.observed ? html`<span class="badge observed">${this.tx('observedBadge')}</span>` : nothing}</h3>
        ${r.reason ? html`<p><strong>${this.tx('reason')}:</strong> ${r.reason}</p>` : nothing}
        ${r.requeueOf ? html`<p>${this.tx('requeueOf', { id: r.requeueOf })}</p>` : nothing}
        ${r.requeuedAs ? html`<p>${this.tx('requeuedAs', { id: r.requeuedAs })}</p>` : nothing}
        <dl class="facts">
          ${row('source', r.source)}${row('registeredAt', turkey(r.registeredAt))}${row('deadline', turkey(r.deadlineAt))}
          ${readbackRows(tx, r)}
        </dl>
        <h4>${this.tx('evidence')}</h4>
        <dl class="facts">
          ${row('asTyped', asTyped)}${row('page', dash(e.pageUrl))}${row('notice', dash(e.noticeVersion))}${row('noticeHash', dash(e.noticeHash))}
          ${row('noticeLang', dash(e.noticeLang))}${row('ip', dash(e.ip))}${row('userAgent', dash(e.userAgent))}
          ${row('widgetVersion', dash(e.widgetVersion))}${row('clientTime', dash(e.clientConsentDate))}
          ${row('serverTime', turkey(e.receivedAt))}${row('ticked', e.channels)}${proofRows(tx, r)}
        </dl>
        ${noticeText(tx, notices, e.noticeRegistered, e.noticeHash, e.noticeLang)}
        <h4>${this.tx('answers')}</h4>
        ${r.attemptLog.length === 0 ? html`<p>${this.tx('noAnswers')}</p>` : html`<div class="scroll" tabindex="0" role="region" aria-label=${`${this.tx('answers')}: ${r.consentDate}`}><table class="answers">
          <thead><tr><th scope="col">${this.tx('at')}</th><th scope="col">${this.tx('outcome')}</th><th scope="col">${this.tx('code')}</th>
            <th scope="col">${this.tx('message')}</th><th scope="col">${this.tx('batch')}</th></tr></thead>
          <tbody>${r.attemptLog.map((a) => html`<tr><td>${turkey(a.at)}</td><td>${a.outcome}</td><td>${dash(a.code)}</td><td>${a.message}</td><td>${a.batchSize}</td></tr>`)}</tbody>
        </table></div>`}
        ${canRequeue ? this.requeueControl(r.id) : nothing}
      </article>
    </li>`;
  }

  private requeueControl(id: string) {
    if (this.confirming !== id) {
      return html`<button type="button" @click=${() => { this.confirming = id; }}>${this.tx('requeue')}</button>`;
    }
    return html`<div class="confirm" role="group" aria-label=${this.tx('requeue')}>
      <p>${this.tx('requeueConfirm')}</p>
      <button type="button" @click=${() => this.requeue(id)}>${this.tx('confirm')}</button>
      <button type="button" class="secondary" @click=${() => { this.confirming = null; }}>${this.tx('cancel')}</button>
    </div>`;
  }
}

customElements.define('iys-recipient-page', IysRecipientPage);
