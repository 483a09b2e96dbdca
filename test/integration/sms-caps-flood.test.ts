import { afterEach, describe, expect, it } from 'vitest';
import { formatTurkeyTime, parseTurkeyTime } from '../../shared/turkey-time.ts';
import { leaks, post, startVerifyRig, verifyBody, type VerifyRig } from './verification-harness.ts';

/**
 * SMS bombing and pumping, scripted against the real collector and the sandbox's send-sms: each
 * flood is answered with exactly as many codes as its cap allows, the rest with 429 naming the cap,
 * and /metrics counts both. Caps: 3 a number, 10 an IP, 25 in all per hour; 40 a Turkey day.
 */
const CAPS = { perNumber: 3, perIp: 10, global: 25, daily: 40, windowS: 3600 };

const rigs: VerifyRig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});

let phoneNo = 0;
const newMobile = () => `+90536${String(++phoneNo).padStart(7, '0')}`;
const local = (recipient: string) => `0${recipient.slice(3)}`;

type Tally = { attempted: number; sent: number; refused: Record<string, number> };

/** Posts each (number, ip) once, in order; counts the 202s and the 429s by their error code. */
async function flood(rig: VerifyRig, posts: Array<{ recipient: string; ip: string }>): Promise<Tally> {
  const tally: Tally = { attempted: 0, sent: 0, refused: {} };
  for (const p of posts) {
    tally.attempted++;
    const res = await post(rig.url, '/v1/consents', verifyBody(local(p.recipient)), p.ip);
    if (res.status === 202) {
      tally.sent++;
      await res.body?.cancel();
      continue;
    }
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const code = ((await res.json()) as { error: { code: string } }).error.code;
    tally.refused[code] = (tally.refused[code] ?? 0) + 1;
  }
  return tally;
}

const sample = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1]);

describe('the caps on verification codes hold under a scripted flood', () => {
  it('bombing one number from 50 addresses: 3 codes sent, 47 refused by the number cap', async () => {
    const rig = await startVerifyRig({ verification: CAPS });
    rigs.push(rig);
    const victim = newMobile();
    const tally = await flood(rig, Array.from({ length: 50 }, (_, i) => ({ recipient: victim, ip: `203.0.113.${i + 1}` })));
    expect(tally).toEqual({ attempted: 50, sent: 3, refused: { 'sms-cap-number': 47 } });
    expect(rig.sandbox.sms.messages()).toHaveLength(3);
    const metrics = await (await fetch(`${rig.url}/metrics`)).text();
    expect(sample(metrics, 'iys_sms_codes_refused_total{cap="number"}')).toBe(47);
    expect(sample(metrics, 'iys_sms_codes_total{result="sent"}')).toBe(3);
    expect(leaks(rig.logs, victim, rig.sandbox.sms.messages().map((m) => /\d{6}/.exec(m.text)![0]))).toEqual([]);
  });

  it('pumping 50 numbers from one address: 10 codes sent, 40 refused by the IP cap', async () => {
    const rig = await startVerifyRig({ verification: CAPS });
    rigs.push(rig);
    const numbers = Array.from({ length: 50 }, newMobile);
    const tally = await flood(rig, numbers.map((recipient) => ({ recipient, ip: '198.51.100.77' })));
    expect(tally).toEqual({ attempted: 50, sent: 10, refused: { 'sms-cap-ip': 40 } });
    expect(rig.sandbox.sms.messages()).toHaveLength(10);
    const codes = rig.sandbox.sms.messages().map((m) => /\d{6}/.exec(m.text)![0]);
    for (const n of numbers) expect(leaks(rig.logs, n, codes)).toEqual([]);
  });

  it('pumping 100 numbers from 100 addresses: 25 codes an hour in all, then 40 a day', async () => {
    const rig = await startVerifyRig({ verification: CAPS });
    rigs.push(rig);
    // An hour into a Turkey day, so three hourly windows stay inside it.
    const today = parseTurkeyTime(`${formatTurkeyTime(rig.now()).slice(0, 10)} 00:00:00`)!;
    rig.advance(today + 86_400_000 + 3_600_000 - rig.now());
    let ip = 0;
    const wave = () => flood(rig, Array.from({ length: 100 }, () => ({ recipient: newMobile(), ip: `192.0.2.${(ip++ % 250) + 1}` })));
    const first = await wave();
    rig.advance(3_600_000);
    const second = await wave();
    rig.advance(3_600_000);
    const third = await wave();
    expect(first).toEqual({ attempted: 100, sent: 25, refused: { 'sms-cap-global': 75 } });
    expect(second).toEqual({ attempted: 100, sent: 15, refused: { 'sms-cap-daily': 85 } });
    expect(third).toEqual({ attempted: 100, sent: 0, refused: { 'sms-cap-daily': 100 } });
    expect(rig.sandbox.sms.messages()).toHaveLength(40);
    const metrics = await (await fetch(`${rig.url}/metrics`)).text();
    expect(sample(metrics, 'iys_sms_codes_refused_total{cap="global"}')).toBe(75);
    expect(sample(metrics, 'iys_sms_codes_refused_total{cap="daily"}')).toBe(185);
  });
});
