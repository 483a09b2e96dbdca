/**
 * A small RFC 4180 reader for the import command: quoted fields, doubled quotes inside them,
 * line breaks inside quotes, CRLF or LF, a UTF-8 BOM, and `,` or `;` as the separator
 * (Excel set to Turkish writes `;`, because `,` is the decimal mark there).
 */

export type CsvRow = {
  /** 1-based line number in the file where the row starts: what an operator looks for in an editor. */
  line: number;
  fields: string[];
};

export type CsvParse = { delimiter: ',' | ';'; rows: CsvRow[] } | { error: string; line: number };

/** The separator of the first line outside quotes: whichever of `;` and `,` occurs more often. */
export function detectDelimiter(text: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch === ',') commas++;
    else if (!quoted && ch === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/** Parses the whole text. Blank lines are skipped; an unterminated quote is an error with its line. */
export function parseCsv(input: string, delimiter?: ',' | ';'): CsvParse {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const sep = delimiter ?? detectDelimiter(text);
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  let quoteStartLine = 0;
  let i = 0;

  const endRow = () => {
    fields.push(field);
    const blank = fields.length === 1 && fields[0]!.trim() === '';
    if (!blank) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
  };

  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field.trim() === '') {
      // A quote opens a quoted field only at its start (spaces before it are dropped).
      quoted = true;
      quoteStartLine = line;
      field = '';
    } else if (ch === sep) {
      fields.push(field);
      field = '';
    } else if (ch === '\r' || ch === '\n') {
      endRow();
      if (ch === '\r' && text[i + 1] === '\n') i++;
      line++;
      rowLine = line;
    } else {
      field += ch;
    }
    i++;
  }
  if (quoted) return { error: 'a quoted field is not closed', line: quoteStartLine };
  if (field !== '' || fields.length > 0) endRow();
  return { delimiter: sep, rows };
}
