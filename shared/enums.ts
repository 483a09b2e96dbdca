import { z } from 'zod';
import { CHANNELS, IYS_SIDE_SOURCES, RECIPIENT_TYPES, RECORD_STATES, SOURCES, STATUSES } from './vocabulary.ts';

/** The zod enums of İYS's words; the lists themselves live in vocabulary.ts (re-exported here). */
export { CHANNELS, IYS_SIDE_SOURCES, RECIPIENT_TYPES, RECORD_STATES, SOURCES, STATUSES };

export const channelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof channelSchema>;

export const statusSchema = z.enum(STATUSES);
export type ConsentStatus = z.infer<typeof statusSchema>;

export const recipientTypeSchema = z.enum(RECIPIENT_TYPES);
export type RecipientType = z.infer<typeof recipientTypeSchema>;

export const sourceSchema = z.enum(SOURCES);
export type ConsentSource = z.infer<typeof sourceSchema>;

/** A source only İYS records (the citizen's own channels); never part of anything a brand sends. */
export const iysSideSourceSchema = z.enum(IYS_SIDE_SOURCES);
export type IysSideSource = z.infer<typeof iysSideSourceSchema>;

/** A source İYS may show in a read-back: a brand's HS_* or İYS's own IYS_*. For reading only. */
export const registrySourceSchema = z.enum([...SOURCES, ...IYS_SIDE_SOURCES]);
export type RegistrySource = z.infer<typeof registrySourceSchema>;

export const recordStateSchema = z.enum(RECORD_STATES);
export type RecordState = z.infer<typeof recordStateSchema>;
