import { formatTurkeyTime } from '../../shared/turkey-time.ts';

/**
 * The caps on sending verification codes, against SMS bombing (one number flooded with codes) and
 * SMS pumping (many numbers, often premium ranges, to run up the bill): per number, per client IP
 * and in all, each in a fixed window, and a ceiling a Turkey calendar day. All are checked before
 * any is counted, so a refusal by one cap uses up none of the others. Counted per collector
 * process (docs/contract.md says what that means with several).
 */
export type SmsCap = 'number' | 'ip' | 'global' | 'daily';

export type SmsCapsConfig = { windowS: number; perNumber: number; perIp: number; global: number; daily: number };

export type CapDecision = { ok: true } | { ok: false; cap: SmsCap; retryAfterS: number };

type Window = { start: number; count: number };

/** Beyond this many live keys the oldest windows are dropped first: a flood of fresh keys cannot grow memory without bound. */
const MAX_KEYS = 100_000;
const DAY_MS = 86_400_000;

export function createSmsCaps(config: SmsCapsConfig, now: () => number = Date.now) {
  const windowMs = config.windowS * 1000;
  const numbers = new Map<string, Window>();
  const ips = new Map<string, Window>();
  let global: Window = { start: 0, count: 0 };
  let day = { date: '', count: 0 };

  const live = (w: Window | undefined, t: number): Window | undefined => (w && t - w.start < windowMs ? w : undefined);
  const retryOf = (w: Window, t: number) => Math.max(1, Math.ceil((w.start + windowMs - t) / 1000));

  function take(map: Map<string, Window>, key: string, t: number): void {
    const w = live(map.get(key), t);
    if (w) w.count += 1;
    else {
      map.delete(key);
      // Insertion order is start order: the expired, then the oldest, come first.
      for (const [k, old] of map) {
        if (live(old, t) && map.size < MAX_KEYS) break;
        map.delete(k);
      }
      map.set(key, { start: t, count: 1 });
    }
  }

  return {
    /** Checks every cap for one code to `number` asked from `ip`, and counts it only when all allow it. */
    take(number: string, ip: string): CapDecision {
      const t = now();
      const n = live(numbers.get(number), t);
      if (n && n.count >= config.perNumber) return { ok: false, cap: 'number', retryAfterS: retryOf(n, t) };
      const i = live(ips.get(ip), t);
      if (i && i.count >= config.perIp) return { ok: false, cap: 'ip', retryAfterS: retryOf(i, t) };
      const g = live(global, t);
      if (g && g.count >= config.global) return { ok: false, cap: 'global', retryAfterS: retryOf(g, t) };
      const date = formatTurkeyTime(t).slice(0, 10);
      if (day.date === date && day.count >= config.daily) {
        // Until Turkey's next midnight, at most a day away.
        return { ok: false, cap: 'daily', retryAfterS: Math.max(1, Math.ceil(msToTurkeyMidnight(t) / 1000)) };
      }
      take(numbers, number, t);
      take(ips, ip, t);
      global = g ? { ...g, count: g.count + 1 } : { start: t, count: 1 };
      day = day.date === date ? { date, count: day.count + 1 } : { date, count: 1 };
      return { ok: true };
    },
    /** Live keys kept (for tests of the memory bound). */
    size: () => numbers.size + ips.size,
  };
}
export type SmsCaps = ReturnType<typeof createSmsCaps>;

/** Turkey is UTC+3 all year: its midnight is 21:00 UTC. */
function msToTurkeyMidnight(t: number): number {
  const turkey = t + 3 * 3_600_000;
  return DAY_MS - (turkey % DAY_MS);
}
