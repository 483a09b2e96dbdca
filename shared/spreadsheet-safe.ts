/**
 * Text a spreadsheet may open, made inert against formula injection (OWASP, "CSV Injection"): a
 * cell that starts with = + - @, a tab or a carriage return is run as a formula. A file is split
 * into cells by `,` or by `;` (the list separator of a Turkish-locale spreadsheet) and into rows by
 * line breaks, and a reader that splits it another way than it was written starts a cell after
 * every such character inside a field too: `Mozilla/5.0 (X11;=1+1;) x` is three cells under `;`.
 * So a `'` goes at the start and after each `,` `;` CR and LF wherever what follows would start a
 * formula, past spaces and quotes (a reader unquotes a piece that starts with `"`).
 */
const FORMULA_PIECE = /(?:^|(?<=[,;\r\n]))(?=[\s"]*[=+\-@]|"*[\t\r])/g;

export function neutraliseFormulas(text: string): string {
  return text.replace(FORMULA_PIECE, "'");
}
