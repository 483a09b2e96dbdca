import { html, type PropertyDeclarations } from 'lit';
import type { ReadbackOverview } from '../shared/console-api.ts';
import { ConsoleElement } from './base.ts';
import { turkey } from './format.ts';
import type { TextKey } from './i18n.ts';

/**
 * The dashboard's read-back section: of the records we registered, how many İYS confirmed, how many
 * are flagged unseen or superseded; and the records İYS holds that we did not send, by who made
 * them (the citizen, the panel) and by kind of difference.
 */
export class IysReadbackFigures extends ConsoleElement {
  static override properties: PropertyDeclarations = { ...ConsoleElement.properties, figures: { attribute: false } };
  declare figures: ReadbackOverview | null;

  constructor() {
    super();
    this.figures = null;
  }

  private list(items: [TextKey, number, string][]) {
    return html`<ul class="counts">${items.map(([key, n, tone]) => html`<li class=${`count ${tone}`}>
      <span class="n">${n.toLocaleString(this.lang)}</span><span>${this.tx(key)}</span></li>`)}</ul>`;
  }

  override render() {
    const f = this.figures;
    if (!f) return html``;
    const o = f.observed;
    return html`<section class="card" aria-labelledby="readback-title">
      <h2 id="readback-title">${this.tx('readbackTitle')}</h2>
      <p class="muted">${f.lastCheckedAt ? this.tx('readbackLast', { t: turkey(f.lastCheckedAt) }) : this.tx('readbackNever')}</p>
      ${this.list([
        ['readbackOurs', f.ours, 'tone-info'],
        ['readbackConfirmed', f.confirmed, 'tone-good'],
        ['readbackUnseen', f.unseen, f.unseen > 0 ? 'tone-bad' : ''],
        ['readbackSuperseded', f.superseded, 'tone-warn'],
      ])}
      <h3 id="observed-title">${this.tx('observedTitle')}</h3>
      ${this.list([
        ['observedCitizen', o.citizen, ''],
        ['observedPanel', o.panel, ''],
        ['driftStatus', o.status, o.status > 0 ? 'tone-warn' : ''],
        ['driftRecord', o.record, ''],
      ])}
    </section>`;
  }
}

customElements.define('iys-readback-figures', IysReadbackFigures);
