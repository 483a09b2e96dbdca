import { CHANNELS, RECIPIENT_TYPES, SOURCES, STATUSES } from '../../shared/vocabulary.ts';

/**
 * The import's columns as call centres and CRMs name them, in Turkish or English, and the Turkish
 * words they write in the cells. Names and words are compared folded: case, accents, Turkish
 * letters (İ/ı, ş, ğ, ü, ö, ç) and spaces, dashes, dots and underscores do not matter, so
 * `Cep Telefonu`, `CEP_TELEFONU` and `cep telefonu` are one name.
 */
export const IMPORT_COLUMNS = ['recipient', 'type', 'status', 'source', 'consentDate', 'recipientType'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Columns every header must have; `status` defaults to ONAY and `recipientType` to BIREYSEL. */
export const REQUIRED_COLUMNS: readonly ImportColumn[] = ['recipient', 'type', 'source', 'consentDate'];

/** The names each column goes by; the first is the one messages use. */
export const COLUMN_NAMES: Record<ImportColumn, readonly string[]> = {
  recipient: ['recipient', 'Telefon', 'Cep', 'E-posta', 'Cep Telefonu', 'Telefon No', 'Telefon Numarası', 'GSM', 'E-posta Adresi', 'E-mail', 'Alıcı'],
  type: ['type', 'Kanal', 'İzin Türü', 'İzin Tipi', 'channel'],
  status: ['status', 'Durum', 'İzin Durumu', 'Onay Durumu'],
  source: ['source', 'Kaynak', 'İzin Kaynağı'],
  consentDate: ['consentDate', 'Tarih', 'İzin Tarihi', 'Onay Tarihi', 'date'],
  recipientType: ['recipientType', 'Alıcı Tipi', 'Alıcı Türü'],
};

const TURKISH_LETTERS: Record<string, string> = { ı: 'i', İ: 'i', ş: 's', Ş: 's', ğ: 'g', Ğ: 'g', ü: 'u', Ü: 'u', ö: 'o', Ö: 'o', ç: 'c', Ç: 'c' };

/** The form names and words are compared in: lower case, no accents, Turkish letters as their Latin base, no separators. */
export function fold(text: string): string {
  return text
    .replace(/[ıİşŞğĞüÜöÖçÇ]/g, (c) => TURKISH_LETTERS[c]!)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s_.\-]+/g, '');
}

const byFoldedName = new Map<string, ImportColumn>(
  IMPORT_COLUMNS.flatMap((column) => COLUMN_NAMES[column].map((name) => [fold(name), column] as const)),
);

/** The column a header cell names, if any. */
export function columnOf(name: string): ImportColumn | undefined {
  return byFoldedName.get(fold(name));
}

/** Turkish (and common English) words for İYS's values, by column. */
const WORDS: Partial<Record<ImportColumn, Record<string, string>>> = {
  type: { SMS: 'MESAJ', 'E-posta': 'EPOSTA', 'E-mail': 'EPOSTA', Mail: 'EPOSTA', Arama: 'ARAMA', Çağrı: 'ARAMA', Call: 'ARAMA' },
  status: { Onay: 'ONAY', Ret: 'RET', Red: 'RET' },
};

/** Folded word → İYS's code, per column: the codes themselves, their words, and a source without its `HS_`. */
const VALUES = new Map<ImportColumn, Map<string, string>>(
  ([['type', CHANNELS], ['status', STATUSES], ['recipientType', RECIPIENT_TYPES], ['source', SOURCES]] as const).map(([column, codes]) => {
    const words = new Map<string, string>();
    for (const code of codes) {
      words.set(fold(code), code);
      if (column === 'source') words.set(fold(code.replace(/^HS_/, '')), code);
    }
    for (const [word, code] of Object.entries(WORDS[column] ?? {})) words.set(fold(word), code);
    return [column, words];
  }),
);

/**
 * A cell's value in İYS's words: `SMS` → MESAJ, `E-posta` → EPOSTA, `Arama` → ARAMA, `Onay` → ONAY,
 * `Ret` → RET, `bireysel` → BIREYSEL, `Çağrı Merkezi` or `hs_cagri_merkezi` → HS_CAGRI_MERKEZI. A
 * value it does not know is returned as it is, for the usual validation to name.
 */
export function valueOf(column: ImportColumn, cell: string): string {
  return VALUES.get(column)?.get(fold(cell)) ?? cell;
}
