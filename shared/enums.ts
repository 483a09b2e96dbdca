import { z } from 'zod';

/** İYS message channels: SMS, e-mail, voice call. */
export const CHANNELS = ['MESAJ', 'EPOSTA', 'ARAMA'] as const;
export const channelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof channelSchema>;

export const STATUSES = ['ONAY', 'RET'] as const;
export const statusSchema = z.enum(STATUSES);
export type ConsentStatus = z.infer<typeof statusSchema>;

export const RECIPIENT_TYPES = ['BIREYSEL', 'TACIR'] as const;
export const recipientTypeSchema = z.enum(RECIPIENT_TYPES);
export type RecipientType = z.infer<typeof recipientTypeSchema>;

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
export const sourceSchema = z.enum(SOURCES);
export type ConsentSource = z.infer<typeof sourceSchema>;

/** The ledger's belief about a record's fate. */
export const RECORD_STATES = ['pending', 'registered', 'rejected', 'expired'] as const;
export const recordStateSchema = z.enum(RECORD_STATES);
export type RecordState = z.infer<typeof recordStateSchema>;
