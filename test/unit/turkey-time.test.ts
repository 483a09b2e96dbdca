import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  DEADLINE_MS, formatTurkeyTime, parseTurkeyTime,
} from '../../shared/turkey-time.ts';

// [instant (UTC), Turkey wall clock]
const KNOWN: [string, string][] = [
  ['2026-11-26T13:05:09.000Z', '2026-11-26 16:05:09'],
  ['2026-11-26T21:00:00.000Z', '2026-11-27 00:00:00'], // crosses midnight in Turkey only
  ['2026-12-31T21:30:00.000Z', '2027-01-01 00:30:00'], // and a year
  ['2024-02-28T22:00:00.000Z', '2024-02-29 01:00:00'], // leap day
  ['2026-03-29T01:30:00.000Z', '2026-03-29 04:30:00'], // the night Europe springs forward: Turkey does not
  ['2026-10-25T01:30:00.000Z', '2026-10-25 04:30:00'], // nor falls back
  ['2016-09-07T12:00:00.000Z', '2016-09-07 15:00:00'], // first day of permanent +03
  ['2015-05-01T00:00:00.000Z', '2015-05-01 03:00:00'], // İYS's earliest date: summer time, +03
  ['2015-12-01T10:00:00.000Z', '2015-12-01 12:00:00'], // winter 2015: +02
  ['2016-01-15T22:30:00.000Z', '2016-01-16 00:30:00'], // winter 2016: +02
  ['2026-11-26T13:05:09.999Z', '2026-11-26 16:05:09'], // milliseconds are cut, not rounded
];

describe('formatTurkeyTime / parseTurkeyTime', () => {
  it.each(KNOWN)('%s is %s in Turkey', (iso, turkey) => {
    const ms = Date.parse(iso);
    expect(formatTurkeyTime(new Date(ms))).toBe(turkey);
    expect(formatTurkeyTime(ms)).toBe(turkey);
    expect(parseTurkeyTime(turkey)).toBe(Math.floor(ms / 1000) * 1000);
  });

  it.each([
    ['2026-11-26T16:05:09', 'ISO T separator'],
    ['2026-11-26 16:05', 'no seconds'],
    ['2026-11-26 16:05:09.123', 'fractions'],
    ['26.11.2026 16:05:09', 'Turkish day-first'],
    ['2026-11-26 16:05:09Z', 'a zone suffix'],
    ['2026-02-30 10:00:00', 'February 30th'],
    ['2026-13-01 10:00:00', 'month 13'],
    ['2026-11-26 24:00:00', 'hour 24'],
    ['2026-11-26 23:60:00', 'minute 60'],
    ['2025-02-29 12:00:00', 'a leap day in a common year'],
    ['', 'empty'],
    [' 2026-11-26 16:05:09', 'a leading space'],
  ])('refuses %s (%s)', (text) => {
    expect(parseTurkeyTime(text)).toBeUndefined();
  });

  it('refuses an invalid Date', () => {
    expect(() => formatTurkeyTime(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('is right whatever the machine time zone is', () => {
    const instants = KNOWN.map(([iso]) => Date.parse(iso));
    const texts = KNOWN.map(([, t]) => t);
    const probe = new URL('../fixtures/turkey-time-probe.ts', import.meta.url).pathname;
    for (const tz of ['UTC', 'America/New_York', 'Asia/Tokyo', 'Europe/Istanbul']) {
      const out = JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', probe, JSON.stringify(instants), JSON.stringify(texts)], {
          env: { ...process.env, TZ: tz },
          encoding: 'utf8',
        }),
      );
      expect(out.tz).toBe(tz === 'UTC' ? 'UTC' : tz);
      expect(out.formatted).toEqual(texts);
      expect(out.parsed).toEqual(instants.map((i) => Math.floor(i / 1000) * 1000));
    }
  });
});

describe('deadline', () => {
  it('the deadline is 72 hours after consentDate', () => {
    expect(DEADLINE_MS).toBe(72 * 3600 * 1000);
  });
});
