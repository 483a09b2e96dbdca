import { describe, expect, test } from 'vitest';
import { API_MESSAGES } from '../../shared/iletimerkezi.ts';
import type { IysRecord } from '../../shared/iys-record.ts';
import { formatTurkeyTime, parseTurkeyTime } from '../../shared/turkey-time.ts';
import { SandboxLedger, type SandboxRules } from '../../server/sandbox/sandbox-ledger.ts';

const NOW = parseTurkeyTime('2026-05-10 12:00:00')!;
const at = (minutesAgo: number) => formatTurkeyTime(NOW - minutesAgo * 60_000);

const RULES: SandboxRules = {
  apiKey: 'k-123456',
  apiHash: 'h-abcdef',
  brandCode: 1234,
  apiAccess: true,
  subscription: true,
  brandMismatchCode: 403,
  duplicates: 'strict',
  monthlyQuota: null,
  refuseRecipients: new Set(),
};

const rec = (over: Partial<IysRecord> = {}): IysRecord => ({
  recipient: '+905321234567',
  recipientType: 'BIREYSEL',
  type: 'MESAJ',
  status: 'ONAY',
  source: 'HS_WEB',
  consentDate: at(60),
  ...over,
});

const body = (list: unknown[], over: { key?: string; hash?: string; brandCode?: unknown } = {}) => ({
  request: {
    authentication: { key: over.key ?? RULES.apiKey, hash: over.hash ?? RULES.apiHash },
    consent: { brandCode: 'brandCode' in over ? over.brandCode : RULES.brandCode, list },
  },
});

const many = (n: number) =>
  Array.from({ length: n }, (_, i) => rec({ recipient: `+90532${String(i).padStart(7, '0')}` }));

interface Row {
  name: string;
  rules?: Partial<SandboxRules>;
  /** Requests accepted before the one under test (each must answer 200). */
  before?: IysRecord[][];
  request: unknown;
  code: keyof typeof API_MESSAGES;
  reason?: string;
  /** Records stored in total after the request under test. */
  stored: number;
}

const ROWS: Row[] = [
  // State rules: valid and invalid side by side.
  { name: 'first ONAY is accepted', request: body([rec()]), code: 200, stored: 1 },
  { name: 'first RET is refused', request: body([rec({ status: 'RET' })]), code: 422, reason: 'first record', stored: 0 },
  { name: 'RET after ONAY is accepted', before: [[rec({ consentDate: at(120) })]], request: body([rec({ status: 'RET' })]), code: 200, stored: 2 },
  { name: 'ONAY after ONAY, strict: refused', before: [[rec({ consentDate: at(120) })]], request: body([rec()]), code: 422, reason: 'ONAY after ONAY', stored: 1 },
  { name: 'ONAY after ONAY, lenient: accepted, not stored twice', rules: { duplicates: 'lenient' }, before: [[rec({ consentDate: at(120) })]], request: body([rec()]), code: 200, reason: 'redundant', stored: 1 },
  { name: 'RET after RET is refused', before: [[rec({ consentDate: at(180) })], [rec({ status: 'RET', consentDate: at(120) })]], request: body([rec({ status: 'RET' })]), code: 422, reason: 'RET after RET', stored: 2 },
  { name: 'ONAY after RET is accepted', before: [[rec({ consentDate: at(180) })], [rec({ status: 'RET', consentDate: at(120) })]], request: body([rec()]), code: 200, stored: 3 },
  { name: 'RET with the same consentDate as the stored ONAY is refused', before: [[rec()]], request: body([rec({ status: 'RET' })]), code: 422, reason: 'not later', stored: 1 },
  { name: 'RET with an earlier consentDate is refused', before: [[rec()]], request: body([rec({ status: 'RET', consentDate: at(90) })]), code: 422, reason: 'not later', stored: 1 },
  { name: 'another channel of the same recipient is its own key', before: [[rec()]], request: body([rec({ type: 'ARAMA' })]), code: 200, stored: 2 },
  { name: 'TACIR and BIREYSEL are different keys', before: [[rec()]], request: body([rec({ recipientType: 'TACIR' })]), code: 200, stored: 2 },
  // The same key twice in one request: earlier records of the request count.
  { name: 'ONAY then later RET in one request', request: body([rec({ consentDate: at(90) }), rec({ status: 'RET' })]), code: 200, stored: 2 },
  { name: 'ONAY then later ONAY in one request, strict', request: body([rec({ consentDate: at(90) }), rec()]), code: 422, reason: 'list[1]', stored: 0 },
  { name: 'ONAY then later ONAY in one request, lenient', rules: { duplicates: 'lenient' }, request: body([rec({ consentDate: at(90) }), rec()]), code: 200, stored: 1 },
  { name: 'ONAY then RET at the same time in one request', request: body([rec(), rec({ status: 'RET' })]), code: 422, reason: 'not later', stored: 0 },
  // Time rules.
  { name: '71 hours old is in time', request: body([rec({ consentDate: at(71 * 60) })]), code: 200, stored: 1 },
  { name: '73 hours old is past the deadline', request: body([rec({ consentDate: at(73 * 60) })]), code: 422, reason: '72 hours', stored: 0 },
  { name: 'a consentDate in the future is refused', request: body([rec({ consentDate: at(-5) })]), code: 422, reason: 'future', stored: 0 },
  { name: 'a UTC ISO consentDate is refused', request: body([rec({ consentDate: new Date(NOW).toISOString() })]), code: 422, reason: 'consentDate', stored: 0 },
  // Formats and enums.
  { name: 'an unnormalised phone is refused', request: body([rec({ recipient: '0532 123 45 67' })]), code: 422, reason: 'recipient', stored: 0 },
  { name: 'a source outside the enum is refused', request: body([{ ...rec(), source: 'web' }]), code: 422, reason: 'source', stored: 0 },
  { name: 'EPOSTA to a phone is refused', request: body([rec({ type: 'EPOSTA' })]), code: 422, reason: 'EPOSTA', stored: 0 },
  { name: 'EPOSTA to an e-mail address is accepted', request: body([rec({ type: 'EPOSTA', recipient: 'ayse@example.com' })]), code: 200, stored: 1 },
  { name: 'a planted refused recipient', rules: { refuseRecipients: new Set(['+905321234567']) }, request: body([rec()]), code: 422, reason: 'refuse list', stored: 0 },
  // Batch atomicity.
  { name: 'one bad record fails the batch, nothing stored', request: body([...many(3), rec({ source: 'HS_KARAR' })]), code: 422, reason: 'list[3]', stored: 0 },
  { name: 'an empty list is refused', request: body([]), code: 422, reason: 'non-empty', stored: 0 },
  // List size.
  { name: '5000 records are accepted', request: body(many(5000)), code: 200, stored: 5000 },
  { name: '5001 records: 475', request: body(many(5001)), code: 475, stored: 0 },
  // Quota counts records in the month.
  { name: 'within the monthly quota', rules: { monthlyQuota: 3 }, before: [[rec({ recipient: '+905339999999' })]], request: body(many(2)), code: 200, stored: 3 },
  { name: 'over the monthly quota: 405, nothing stored', rules: { monthlyQuota: 3 }, before: [[rec({ recipient: '+905339999999' })]], request: body(many(3)), code: 405, stored: 1 },
  // Account.
  { name: 'wrong key', request: body([rec()], { key: 'nope' }), code: 401, reason: 'does not match', stored: 0 },
  { name: 'wrong hash', request: body([rec()], { hash: 'nope' }), code: 401, reason: 'does not match', stored: 0 },
  { name: 'API access switched off', rules: { apiAccess: false }, request: body([rec()]), code: 401, reason: 'switched off', stored: 0 },
  { name: 'no authentication at all', request: { request: { consent: { brandCode: 1234, list: [rec()] } } }, code: 401, stored: 0 },
  { name: 'a body that is not JSON', request: undefined, code: 401, stored: 0 },
  { name: 'no subscription', rules: { subscription: false }, request: body([rec()]), code: 403, reason: 'subscription', stored: 0 },
  { name: 'brandCode missing', request: body([rec()], { brandCode: undefined }), code: 403, reason: 'missing', stored: 0 },
  { name: 'brandCode not the account’s (default 403)', request: body([rec()], { brandCode: 9999 }), code: 403, reason: '9999', stored: 0 },
  { name: 'brandCode not the account’s, configured as 422', rules: { brandMismatchCode: 422 }, request: body([rec()], { brandCode: 9999 }), code: 422, reason: '9999', stored: 0 },
  { name: 'brandCode as a string matches the number', request: body([rec()], { brandCode: '1234' }), code: 200, stored: 1 },
];

describe('sandbox rule engine', () => {
  test.each(ROWS)('$name → $code', (row) => {
    const ledger = new SandboxLedger();
    const rules = { ...RULES, ...row.rules };
    let n = 0;
    for (const list of row.before ?? []) {
      expect(ledger.handle(body(list), rules, NOW, ++n).code).toBe(200);
    }
    const j = ledger.handle(row.request, rules, NOW, ++n);
    expect({ code: j.code, message: j.message }).toEqual({ code: row.code, message: API_MESSAGES[row.code] });
    if (row.reason) expect(j.reason).toContain(row.reason);
    expect(ledger.records()).toHaveLength(row.stored);
  });

  test('judge() alone stores nothing; stored records carry brand, time and request number', () => {
    const ledger = new SandboxLedger();
    const j = ledger.judge(body([rec()]), RULES, NOW);
    expect(j.code).toBe(200);
    expect(ledger.records()).toHaveLength(0);
    ledger.commit(j, { brandCode: 1234, nowMs: NOW, requestNo: 7 });
    expect(ledger.records()).toEqual([{ ...rec(), brandCode: '1234', storedAt: NOW, requestNo: 7 }]);
  });

  test('the quota is per Turkey calendar month', () => {
    const ledger = new SandboxLedger();
    const rules = { ...RULES, monthlyQuota: 1 };
    const lastMinuteOfApril = parseTurkeyTime('2026-04-30 23:59:00')!;
    const firstMinuteOfMay = parseTurkeyTime('2026-05-01 00:01:00')!;
    const aprilRecord = rec({ consentDate: formatTurkeyTime(lastMinuteOfApril - 60_000) });
    expect(ledger.handle(body([aprilRecord]), rules, lastMinuteOfApril, 1).code).toBe(200);
    expect(ledger.handle(body([rec({ recipient: '+905320000002', consentDate: '2026-05-01 00:00:00' })]), rules, lastMinuteOfApril + 120_000, 2).code).toBe(200);
    expect(ledger.usedInMonth(firstMinuteOfMay)).toBe(1);
    expect(ledger.handle(body([rec({ recipient: '+905320000003', consentDate: '2026-05-01 00:00:30' })]), rules, firstMinuteOfMay, 3).code).toBe(405);
  });
});
