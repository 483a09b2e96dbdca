/**
 * The consent moment in Turkey time, `YYYY-MM-DD HH:MM:SS`, whatever the browser's time zone.
 * shared/turkey-time.ts does the same for any instant, carrying Intl for the years before 2016
 * when Turkey had summer time; "now" is always after that, so the widget keeps only the fixed
 * UTC+3 arithmetic (test/unit/widget-core.test.ts checks the two agree).
 */
export const turkeyTime = (ms: number): string => new Date(ms + 3 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
