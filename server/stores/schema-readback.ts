import { CHECK_STATES, DRIFT_KINDS, OBSERVERS } from './check-fields.ts';

/**
 * The records columns and indexes of schema step `readback` (schema.ts takes them into RECORDS and
 * INDEXES, where they are checked against ColumnSpec and IndexSpec): what look-ups in İYS found of a
 * registered record, and the observed records İYS holds that the collector did not send.
 */
export const READBACK_COLUMNS = [
  // Read-back (server/readback): what look-ups in İYS found of a registered record. Beside the record,
  // not an edit of it: İYS's fields and the state never change.
  { name: 'confirmed_at', type: 'bigint', nullable: true, insert: true, read: true, since: 'readback' },
  { name: 'checked_at', type: 'bigint', nullable: true, insert: true, read: true, since: 'readback' },
  { name: 'check_state', type: 'text', nullable: true, oneOf: CHECK_STATES, insert: true, read: true, since: 'readback' },
  { name: 'check_note', type: 'text', nullable: true, read: true, since: 'readback' },
  // An observed record: one İYS holds that the collector did not send (a panel entry, a citizen's RET), a row of its own.
  { name: 'observed_by', type: 'text', nullable: true, oneOf: OBSERVERS, since: 'readback', insert: true, immutable: true, read: true },
  { name: 'drift', type: 'text', nullable: true, oneOf: DRIFT_KINDS, since: 'readback', insert: true, immutable: true, read: true },
  { name: 'iys_extras', type: 'text', nullable: true, since: 'readback', insert: true, immutable: true, read: true },
] as const;

export const READBACK_INDEXES = [
  // Read-back: registered records no look-up has decided (confirmation), and the sweep's oldest checks.
  { name: 'records_unchecked', table: 'records', on: 'registered_at, seq', where: "state = 'registered' AND check_state IS NULL", since: 'readback' },
  {
    name: 'records_sweep', table: 'records', on: 'checked_at, seq',
    where: "state = 'registered' AND check_state IN ('confirmed', 'unseen')", since: 'readback',
  },
] as const;
