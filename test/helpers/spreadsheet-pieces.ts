/**
 * How a spreadsheet may cut a CSV line into cells: by `,` or by `;` (a Turkish-locale list
 * separator), honouring quotes as spreadsheets do, or naively at every separator and line break.
 */
export function pieces(line: string, sep: ',' | ';', honourQuotes: boolean): string[] {
  if (!honourQuotes) return line.split(new RegExp(`[${sep}\\r\\n]`));
  const out: string[] = [];
  let field = '';
  let quoted = false;
  let atStart = true;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && atStart) {
      quoted = true;
      atStart = false;
    } else if (ch === sep || ch === '\r' || ch === '\n') {
      out.push(field);
      field = '';
      atStart = true;
    } else {
      field += ch;
      atStart = false;
    }
  }
  out.push(field);
  return out;
}

/** What a spreadsheet runs as a formula (OWASP): = + - @ at the start past spaces and quotes, or a tab or CR past quotes. */
export const startsFormula = (piece: string): boolean => /^"*[\t\r]/.test(piece) || /^[\s"]*[=+\-@]/.test(piece);

/** The pieces of `line`, cut every way above, that would start a formula, each named by how it was cut. */
export function formulaPieces(line: string): string[] {
  return (['honouring quotes', 'naively'] as const).flatMap((how) =>
    ([',', ';'] as const).flatMap((sep) =>
      pieces(line, sep, how === 'honouring quotes').filter(startsFormula).map((p) => `${how}, ${sep}: ${JSON.stringify(p)}`),
    ),
  );
}
