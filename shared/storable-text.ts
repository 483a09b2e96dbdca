/**
 * Text both ledgers hold exactly as it came. PostgreSQL refuses a NUL in a text column (the
 * collector answered 503, which tells a widget to retry forever, where SQLite stored it), and an
 * unpaired UTF-16 surrogate has no UTF-8 form (a store would keep a replacement character instead
 * of what was sent). Such text is bad input: 422, naming the field, on either store.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

export const UNSTORABLE_MESSAGE = 'holds a NUL character or an unpaired surrogate, which the ledger cannot store';
