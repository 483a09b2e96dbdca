import { formatTurkeyTime } from '../shared/turkey-time.ts';

/** Times as the console shows them: Turkey time, İYS's own form, whatever the browser's zone. */
export const turkey = (iso: string | null | undefined): string => (iso ? formatTurkeyTime(Date.parse(iso)) : '—');

/** Only the hour of a Turkey time, for the chart's axis: "14:00". */
export const turkeyHour = (iso: string): string => formatTurkeyTime(Date.parse(iso)).slice(11, 16);

export const dash = (v: string | number | null | undefined): string => (v === null || v === undefined || v === '' ? '—' : String(v));
