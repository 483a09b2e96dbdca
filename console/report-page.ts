import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { Report, ReportRecord } from '../shared/console-api.ts';
import { ApiError, api } from './api.ts';
import { ConsoleElement } from './base.ts';
import { dash } from './format.ts';
import type { TextKey } from './i18n.ts';
import { reportProofRows } from './record-proof.ts';

/**
 * The audit report of one recipient, ready to print (styles.css keeps only the report on paper) and
 * as a PDF the collector makes (pdfkit), asked for with the hash shown here so the file carries the
 * very same one. Every time is Turkey time, as the report data holds it.
 * Each record carries its notice's match, the SMS code, the form token's age and read-back's finding
 * (record-proof.ts); the registered notice texts close the report.
 */
export class IysReportPage extends ConsoleElement {
  static override properties: PropertyDeclarations = { ...ConsoleElement.properties, ref: {}, report: { state: true }, error: { state: true }, busy: { state: true } };
  declare ref: string;
  declare report: Report | null;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.ref = '';
    this.report = null;
    this.error = '';
    this.busy = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('ref') && this.ref) void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.report = await api.report(this.ref);
      this.error = '';
    } catch (e) {
      this.error = this.problem(e);
    }
  }

  private async downloadPdf(): Promise<void> {
    if (!this.report) return;
    this.busy = true;
    try {
      const { blob, name } = await api.reportPdf(this.ref, this.report.sha256, this.lang);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      this.error = '';
    } catch (e) {
      if (e instanceof ApiError && e.code === 'report-changed') {
        await this.load();
        this.error = this.tx('changed');
      } else this.error = this.problem(e);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const r = this.report;
    return html`<div class="toolbar no-print">
        <a href=${`#/recipient/${this.ref}`}>${this.tx('back')}</a>
        <button type="button" ?disabled=${!r} @click=${() => print()}>${this.tx('print')}</button>
        <button type="button" ?disabled=${!r || this.busy} @click=${this.downloadPdf}>${this.tx('downloadPdf')}</button>
      </div>
      <p class="alert no-print" role="alert">${this.error}</p>
      ${r ? this.document(r) : html`<p aria-busy="true">${this.tx('loading')}</p>`}`;
  }

  private document(r: Report) {
    const d = r.report;
    const row = (key: TextKey, value: string) => html`<dt>${this.tx(key)}</dt><dd>${value}</dd>`;
    return html`<article class="report" aria-labelledby="report-title">
      <h1 id="report-title">${this.tx('reportTitle')}</h1>
      <dl class="facts">
        ${row('reportFor', d.recipient)}${row('reportAsOf', `${d.asOf} (${this.tx('turkeyTime')})`)}
        ${row('reportGenerated', `${r.generatedAt} (${this.tx('turkeyTime')})`)}${row('reportPurpose', `${d.purpose} · ${d.jurisdiction}`)}
      </dl>
      <p><strong>${this.tx('reportHash')}:</strong><br><code id="report-hash" class="hash">${r.sha256}</code></p>
      <p class="muted">${this.tx('reportVerify')}</p>
      ${d.channels.map((c) => html`<section aria-labelledby=${`rc-${c.type}`}>
        <h2 id=${`rc-${c.type}`}>${this.tx('channel')}: ${c.type}</h2>
        ${c.records.map((rec) => this.record(rec))}
      </section>`)}
      <section aria-labelledby="report-notices">
        <h2 id="report-notices">${this.tx('reportNotices')}</h2>
        ${d.notices.length === 0 ? html`<p>${this.tx('reportNoNotices')}</p>` : d.notices.map((n) => html`<section class="report-notice">
          <h3>${this.tx('noticeTextTitle', { v: n.version, l: n.lang })} · ${n.registeredAt}</h3>
          <p><code class="hash">${n.hash}</code></p><blockquote>${n.text}</blockquote></section>`)}
      </section>
    </article>`;
  }

  private record(r: ReportRecord) {
    const e = r.evidence;
    const row = (key: TextKey, value: string) => html`<dt>${this.tx(key)}</dt><dd>${value}</dd>`;
    return html`<section class="report-record" aria-labelledby=${`rr-${r.id}`}>
      <h3 id=${`rr-${r.id}`}>${r.status} · ${this.tx(r.event === 'given' ? 'given' : 'withdrawn')} · ${r.consentDate} · ${this.tx(`state.${r.state}` as TextKey)}</h3>
      <dl class="facts">
        ${row('source', `${r.source} · ${r.recipientType}`)}${r.reason ? row('reason', r.reason) : nothing}
        ${row('registeredAt', dash(r.registeredAt))}${row('deadline', r.deadlineAt)}${r.requeueOf ? row('requeueOf', r.requeueOf) : nothing}
        ${row('asTyped', e.recipientAsEntered)}${row('clientTime', dash(e.clientConsentDate))}${row('serverTime', e.receivedAt)}
        ${row('ticked', e.channelsTicked)}${row('notice', dash(e.notice.version))}${row('noticeHash', dash(e.notice.hash))}
        ${row('noticeLang', dash(e.notice.lang))}${row('page', dash(e.pageUrl))}${row('ip', dash(e.ipAddress))}
        ${row('userAgent', dash(e.userAgent))}${row('widgetVersion', dash(e.widgetVersion))}
        ${reportProofRows(this.tx.bind(this), r)}
      </dl>
      <h4>${this.tx('answers')}</h4>
      ${r.attempts.length === 0 ? html`<p>${this.tx('noAnswers')}</p>` : html`<table class="answers">
        <thead><tr><th scope="col">${this.tx('at')}</th><th scope="col">${this.tx('outcome')}</th><th scope="col">${this.tx('code')}</th>
          <th scope="col">${this.tx('message')}</th><th scope="col">${this.tx('batch')}</th></tr></thead>
        <tbody>${r.attempts.map((a) => html`<tr><td>${a.at}</td><td>${a.outcome}</td><td>${dash(a.code)}</td><td>${a.message}</td><td>${a.batchSize}</td></tr>`)}</tbody>
      </table>`}
    </section>`;
  }
}

customElements.define('iys-report-page', IysReportPage);
