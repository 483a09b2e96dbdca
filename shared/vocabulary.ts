/**
 * İYS's words as plain lists, with no dependency at all: the widget takes its channels from here
 * without bundling zod, and shared/enums.ts builds the zod enums (and their types) from the same lists.
 */

/** İYS message channels: SMS, e-mail, voice call; in the order the widget shows them. */
export const CHANNELS = ['MESAJ', 'EPOSTA', 'ARAMA'] as const;

export const STATUSES = ['ONAY', 'RET'] as const;

export const RECIPIENT_TYPES = ['BIREYSEL', 'TACIR'] as const;

/** Sources a brand may declare (the HS_* table of the API document). IYS_* values are citizen-side only. */
export const SOURCES = [
  'HS_FIZIKSEL_ORTAM',
  'HS_ISLAK_IMZA',
  'HS_ETKINLIK',
  'HS_EORTAM',
  'HS_WEB',
  'HS_MOBIL',
  'HS_MESAJ',
  'HS_EPOSTA',
  'HS_CAGRI_MERKEZI',
  'HS_SOSYAL_MEDYA',
  'HS_ATM',
  'HS_KARAR',
  'HS_2015',
] as const;

/**
 * Sources İYS itself records when the citizen acts through its own channels: the RET short message
 * to 3338, the İYS call centre, the web site and e-Devlet, the mobile app, a short link. İYS may show
 * them in a read-back; a brand never sends one, so they are kept apart from SOURCES.
 */
export const IYS_SIDE_SOURCES = ['IYS_3338', 'IYS_CM', 'IYS_WEB', 'IYS_MOBIL', 'IYS_KISA_LINK'] as const;

/** The ledger's belief about a record's fate. */
export const RECORD_STATES = ['pending', 'registered', 'rejected', 'expired'] as const;
