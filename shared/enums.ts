import { z } from 'zod';
import { CHANNELS, RECIPIENT_TYPES, RECORD_STATES, SOURCES, STATUSES } from './vocabulary.ts';

/** The zod enums of İYS's words; the lists themselves live in vocabulary.ts (re-exported here). */
export { CHANNELS, RECIPIENT_TYPES, RECORD_STATES, SOURCES, STATUSES };

export const channelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof channelSchema>;

export const statusSchema = z.enum(STATUSES);
export type ConsentStatus = z.infer<typeof statusSchema>;

export const recipientTypeSchema = z.enum(RECIPIENT_TYPES);
export type RecipientType = z.infer<typeof recipientTypeSchema>;

export const sourceSchema = z.enum(SOURCES);
export type ConsentSource = z.infer<typeof sourceSchema>;

export const recordStateSchema = z.enum(RECORD_STATES);
export type RecordState = z.infer<typeof recordStateSchema>;
