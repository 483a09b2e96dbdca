/**
 * The widget's look, as a constructable stylesheet (adoptedStyleSheets): no <style> element and
 * no style attribute, so a page whose CSP allows no inline style still renders it. Its own
 * background and text colours keep the contrast right in light and dark whatever the page does.
 * A plain CSSStyleSheet rather than Lit's `css` tag: Lit adopts it as it is, and the bundle then
 * carries none of the tag's machinery. (The build squeezes the whitespace out of the text.)
 */
const CSS = `
  :host {
    display: block;
    color-scheme: light dark;
    font: var(--iys-font, inherit);
    color: var(--iys-color, CanvasText);
    background: var(--iys-bg, Canvas);
  }
  :host([hidden]) { display: none; }
  fieldset { margin: 0; border: 1px solid var(--iys-border, GrayText); border-radius: var(--iys-radius, 8px); }
  legend { font-weight: 600; }
  label { display: flex; gap: 8px; margin: 8px 0; }
  #r { flex-direction: column; }
  input, button { font: inherit; }
  [type=checkbox] { flex: none; width: 24px; height: 24px; margin: 0; accent-color: var(--iys-accent, #0b5cad); }
  button { padding: 8px 16px; border: 0; background: var(--iys-accent, #0b5cad); color: var(--iys-on-accent, #fff); }
  :focus-visible { outline: 3px solid var(--iys-focus, #1a73e8); outline-offset: 2px; }
  p { margin: 0; }
  /* The honeypot: off-screen rather than display:none, which a bot can see through. */
  [name=website] { position: absolute; left: -9999px; }
`;

/** Made only where there is a browser: importing the module on a server must not throw. */
export const styles: CSSStyleSheet | undefined = typeof CSSStyleSheet == 'function' ? new CSSStyleSheet() : undefined;
styles?.replaceSync(CSS);
