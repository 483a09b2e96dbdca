/**
 * Turkey local time (Europe/Istanbul) in İYS's `YYYY-MM-DD HH:MM:SS` form, independent of the
 * machine's own time zone. Turkey has kept UTC+3 all year since 2016-09-07; earlier instants
 * (İYS accepts dates from 2015-05-01) had summer time, so those go through Intl.
 */

export const TURKEY_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const FIXED_OFFSET_MS = 3 * 3600_000;
/** From this instant on Turkey is UTC+3 without summer time. */
const PERMANENT_PLUS3_FROM = Date.UTC(2016, 8, 6, 21, 0, 0);
export const IYS_EARLIEST = '2015-05-01 00:00:00';
export const DEADLINE_HOURS = 72;
export const DEADLINE_MS = DEADLINE_HOURS * 3600_000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

let historicFormatter: Intl.DateTimeFormat | undefined;
function historicParts(ms: number): number[] {
  historicFormatter ??= new Intl.DateTimeFormat('en-US', {
    timeZone: 'Europe/Istanbul',
    hourCycle: 'h23',
    year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const parts: Record<string, number> = {};
  for (const p of historicFormatter.formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return [parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!];
}

/** Formats an instant as Turkey local time, `YYYY-MM-DD HH:MM:SS`. */
export function formatTurkeyTime(instant: Date | number): string {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('formatTurkeyTime: invalid date');
  let y: number, mo: number, d: number, h: number, mi: number, s: number;
  if (ms >= PERMANENT_PLUS3_FROM) {
    const t = new Date(ms + FIXED_OFFSET_MS);
    [y, mo, d, h, mi, s] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()];
  } else {
    [y, mo, d, h, mi, s] = historicParts(ms) as [number, number, number, number, number, number];
  }
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}`;
}

/** Parses `YYYY-MM-DD HH:MM:SS` Turkey time to epoch milliseconds; undefined if malformed or not a real date. */
export function parseTurkeyTime(text: string): number | undefined {
  const m = TURKEY_TIME_PATTERN.exec(text);
  if (!m) return undefined;
  // Field by field rather than m.slice(1).map(Number): every consent is parsed several times, and this allocates nothing.
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]), h = Number(m[4]), mi = Number(m[5]), s = Number(m[6]);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(asUtc);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined; // 2026-02-30
  let ms = asUtc - FIXED_OFFSET_MS;
  if (ms < PERMANENT_PLUS3_FROM) {
    // Summer time era: try +3 and +2, keep the one that formats back to the same wall clock.
    const candidates = [asUtc - FIXED_OFFSET_MS, asUtc - 2 * 3600_000];
    const hit = candidates.find((c) => formatTurkeyTime(c) === text);
    ms = hit ?? candidates[0]!; // a wall-clock time skipped by a DST jump: take +3
  }
  return ms;
}
