import { html, svg, type PropertyDeclarations } from 'lit';
import type { Overview } from '../shared/console-api.ts';
import { ConsoleElement } from './base.ts';
import { turkeyHour } from './format.ts';
import type { TextKey } from './i18n.ts';

/**
 * The requests to iletiMerkezi per hour, stacked by outcome: hand-written SVG (a few dozen
 * rectangles need no charting library, and plain SVG attributes pass the console's CSP, which
 * refuses the inline styles most chart libraries write). Colours come from styles.css by class;
 * the same figures are in a table for screen readers and for anyone who prefers one.
 */

/** The outcomes in stacking order, good to bad; an outcome not listed here is drawn after them. */
const ORDER = ['accepted', 'records-refused', 'too-many', 'account', 'transient', 'ambiguous'];
const W = 720;
const H = 220;
const M = { left: 40, right: 8, top: 12, bottom: 28 };

type Requests = Overview['requests'];

/** 1, 2, 5 × 10^k at or above n: a top for the axis people can read. */
function niceTop(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= n)!;
}

export class IysRequestsChart extends ConsoleElement {
  static override properties: PropertyDeclarations = { ...ConsoleElement.properties, requests: { attribute: false } };
  declare requests: Requests | null;

  constructor() {
    super();
    this.requests = null;
  }

  private outcomeName(o: string): string {
    return ORDER.includes(o) ? this.tx(`outcome.${o}` as TextKey) : o;
  }

  override render() {
    const req = this.requests;
    if (!req) return html``;
    const from = Date.parse(req.from);
    const span = Math.round((Date.parse(req.to) - from) / 3_600_000);
    const hours = Array.from({ length: span }, (_, i) => new Date(from + i * 3_600_000).toISOString());
    const outcomes = [...new Set(req.hours.map((h) => h.outcome))].sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
    const count = (hour: string, outcome: string) => req.hours.find((h) => h.hourStart === hour && h.outcome === outcome)?.requests ?? 0;
    const totals = hours.map((h) => outcomes.reduce((n, o) => n + count(h, o), 0));
    const total = totals.reduce((a, b) => a + b, 0);
    const top = niceTop(Math.max(0, ...totals));
    const plotW = W - M.left - M.right;
    const plotH = H - M.top - M.bottom;
    const step = plotW / span;
    const y = (v: number) => M.top + plotH - (v / top) * plotH;
    const labelEvery = Math.ceil(span / 8);
    const parts = outcomes.map((o) => `${req.hours.filter((h) => h.outcome === o).reduce((n, h) => n + h.requests, 0)} ${this.outcomeName(o)}`).join(', ');
    const summary = total === 0 ? this.tx('chartEmpty') : this.tx('chartSummary', { n: span, r: total, parts });

    const bars = hours.flatMap((h, i) => {
      let base = 0;
      return outcomes.map((o) => {
        const v = count(h, o);
        const rect = svg`<rect class=${`bar o-${o}`} x=${(M.left + i * step + step * 0.15).toFixed(1)} width=${(step * 0.7).toFixed(1)}
          y=${y(base + v).toFixed(1)} height=${(y(base) - y(base + v)).toFixed(1)}><title>${turkeyHour(h)}: ${v} ${this.outcomeName(o)}</title></rect>`;
        base += v;
        return v > 0 ? rect : svg``;
      });
    });
    const grid = [0, top / 2, top].map((v) => svg`<line class="grid" x1=${M.left} x2=${W - M.right} y1=${y(v)} y2=${y(v)}></line>
      <text class="axis" x=${M.left - 6} y=${y(v) + 4} text-anchor="end">${Number.isInteger(v) ? v : v.toFixed(1)}</text>`);
    const labels = hours.map((h, i) => (i % labelEvery === 0
      ? svg`<text class="axis" x=${M.left + i * step + step / 2} y=${H - 8} text-anchor="middle">${turkeyHour(h)}</text>` : svg``));

    return html`<figure class="chart">
      <figcaption><h2 id="chart-title">${this.tx('chartTitle', { n: span })}</h2><p id="chart-summary">${summary}</p></figcaption>
      <svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title chart-summary" focusable="false">${grid}${bars}${labels}</svg>
      <ul class="legend">${outcomes.map((o) => html`<li><span class=${`swatch o-${o}`}></span>${this.outcomeName(o)}</li>`)}</ul>
      <details>
        <summary>${this.tx('chartTable')}</summary>
        <div class="scroll" tabindex="0" role="region" aria-labelledby="chart-title"><table>
          <thead><tr><th scope="col">${this.tx('hour')} (${this.tx('turkeyTime')})</th>${outcomes.map((o) => html`<th scope="col">${this.outcomeName(o)}</th>`)}</tr></thead>
          <tbody>${hours.filter((_, i) => totals[i]! > 0).map((h) => html`<tr><th scope="row">${turkeyHour(h)}</th>${outcomes.map((o) => html`<td>${count(h, o)}</td>`)}</tr>`)}</tbody>
        </table></div>
      </details>
    </figure>`;
  }
}

customElements.define('iys-requests-chart', IysRequestsChart);
