import { describe, expect, test } from 'vitest';
import { API_MESSAGES } from '../../shared/iletimerkezi.ts';
import type { IysRecord } from '../../shared/iys-record.ts';
import { formatTurkeyTime, parseTurkeyTime } from '../../shared/turkey-time.ts';
import { applyOutsideChange, outsideChangeSchema, type OutsideChange } from '../../server/sandbox/outside-changes.ts';
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

  test('judge() alone stores nothing; stored records carry brand, time, origin and request number', () => {
    const ledger = new SandboxLedger();
    const j = ledger.judge(body([rec()]), RULES, NOW);
    expect(j.code).toBe(200);
    expect(ledger.records()).toHaveLength(0);
    ledger.commit(j, { brandCode: 1234, nowMs: NOW, requestNo: 7 });
    expect(ledger.records()).toEqual([{ ...rec(), brandCode: '1234', storedAt: NOW, origin: 'api', requestNo: 7 }]);
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

const showBody = (key: Partial<{ recipient: string; recipientType: string; type: string }> = {}, over: { key?: string; hash?: string; brandCode?: unknown } = {}) => ({
  request: {
    authentication: { key: over.key ?? RULES.apiKey, hash: over.hash ?? RULES.apiHash },
    consent: { brandCode: 'brandCode' in over ? over.brandCode : RULES.brandCode, recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'MESAJ', ...key },
  },
});

interface ShowRow {
  name: string;
  rules?: Partial<SandboxRules>;
  before?: IysRecord[][];
  request: unknown;
  code: 200 | 401 | 403 | 422;
  /** The answer's consent: a record (matched in part), [] or absent. */
  consent?: Record<string, unknown> | [];
  reason?: string;
}

const SHOW_ROWS: ShowRow[] = [
  { name: 'the key’s record → 200 with İYS’s single-status shape', before: [[rec()]], request: showBody(), code: 200,
    consent: { type: 'MESAJ', source: 'HS_WEB', recipient: '+905321234567', recipientType: 'BIREYSEL', status: 'ONAY', consentDate: at(60), creationDate: at(0) } },
  { name: 'the latest record of the key, after a RET', before: [[rec({ consentDate: at(120) })], [rec({ status: 'RET' })]], request: showBody(), code: 200, consent: { status: 'RET', consentDate: at(60) } },
  { name: 'no record of the recipient at all → 422', request: showBody(), code: 422, reason: 'no İYS record' },
  { name: 'records of the recipient, none of this channel → 200 with []', before: [[rec({ type: 'ARAMA' })]], request: showBody(), code: 200, consent: [] },
  { name: 'records of the recipient, none of this recipientType → 200 with []', before: [[rec()]], request: showBody({ recipientType: 'TACIR' }), code: 200, consent: [] },
  { name: 'a brand code not the account’s → 200 with [] (as observed upstream)', before: [[rec()]], request: showBody({}, { brandCode: 9999 }), code: 200, consent: [], reason: '9999' },
  { name: 'brandMismatchCode does not change show', rules: { brandMismatchCode: 422 }, before: [[rec()]], request: showBody({}, { brandCode: 9999 }), code: 200, consent: [] },
  { name: 'brandCode as a string matches the number', before: [[rec()]], request: showBody({}, { brandCode: '1234' }), code: 200, consent: { status: 'ONAY' } },
  { name: 'wrong key → 401', before: [[rec()]], request: showBody({}, { key: 'nope' }), code: 401, reason: 'does not match' },
  { name: 'API access switched off → 401', rules: { apiAccess: false }, request: showBody(), code: 401, reason: 'switched off' },
  { name: 'a body that is not JSON → 401', request: undefined, code: 401 },
  { name: 'no subscription → 403', rules: { subscription: false }, request: showBody(), code: 403, reason: 'subscription' },
  { name: 'brandCode missing → 403', request: showBody({}, { brandCode: undefined }), code: 403, reason: 'missing' },
  { name: 'an unnormalised recipient → 422', before: [[rec()]], request: showBody({ recipient: '0532 123 45 67' }), code: 422, reason: 'recipient' },
  { name: 'an unknown channel → 422', request: showBody({ type: 'SMS' }), code: 422, reason: 'type' },
  { name: 'a used-up quota does not stop reads', rules: { monthlyQuota: 1 }, before: [[rec()]], request: showBody(), code: 200, consent: { status: 'ONAY' } },
];

describe('sandbox consent/show', () => {
  test.each(SHOW_ROWS)('$name', (row) => {
    const ledger = new SandboxLedger();
    const rules = { ...RULES, ...row.rules };
    let n = 0;
    for (const list of row.before ?? []) expect(ledger.handle(body(list), { ...RULES }, NOW, ++n).code).toBe(200);
    const used = ledger.usedInMonth(NOW);
    const j = ledger.show(row.request, rules);
    expect({ code: j.code, message: j.message }).toEqual({ code: row.code, message: API_MESSAGES[row.code] });
    if (row.consent === undefined) expect(j).not.toHaveProperty('consent');
    else if (Array.isArray(row.consent)) expect(j.consent).toEqual([]);
    else expect(j.consent).toMatchObject(row.consent);
    if (row.reason) expect(j.reason).toContain(row.reason);
    expect(ledger.usedInMonth(NOW)).toBe(used);
    expect(ledger.records()).toHaveLength((row.before ?? []).flat().length);
  });

  test('the log key is what the body asked, even when it cannot be answered', () => {
    expect(new SandboxLedger().show(showBody({ type: 'SMS' }), RULES).asked).toEqual({ recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'SMS' });
    expect(new SandboxLedger().show(undefined, RULES).asked).toEqual({ recipient: null, recipientType: null, type: null });
  });
});

type Change = OutsideChange;
const change = (ledger: SandboxLedger, c: Change) => applyOutsideChange(ledger, outsideChangeSchema.parse(c), RULES.brandCode, NOW);
const panel = (over: Partial<Change> = {}): Change =>
  ({ origin: 'panel', recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'MESAJ', status: 'ONAY', source: 'HS_FIZIKSEL_ORTAM', consentDate: at(30), ...over }) as Change;
const citizen = (over: Partial<Change> = {}): Change =>
  ({ origin: 'citizen', recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'MESAJ', status: 'RET', source: 'IYS_3338', ...over }) as Change;

interface ChangeRow {
  name: string;
  before?: IysRecord[][];
  changes: Change[];
  /** null: every change is taken; else the last one is refused with this in its reason. */
  refused: string | null;
  /** The key's latest status and source afterwards, as show() answers it; undefined: no record. */
  then?: { status: string; source: string };
}

const CHANGE_ROWS: ChangeRow[] = [
  { name: 'a panel ONAY as the first record', changes: [panel()], refused: null, then: { status: 'ONAY', source: 'HS_FIZIKSEL_ORTAM' } },
  { name: 'a panel RET as the first record is refused', changes: [panel({ status: 'RET', source: 'HS_KARAR' })], refused: 'first record', then: undefined },
  { name: 'a panel ONAY after our ONAY is refused', before: [[rec()]], changes: [panel()], refused: 'ONAY after ONAY', then: { status: 'ONAY', source: 'HS_WEB' } },
  { name: 'a panel ONAY before our ONAY: ours is then refused as a duplicate', changes: [panel({ consentDate: at(90) })], refused: null, then: { status: 'ONAY', source: 'HS_FIZIKSEL_ORTAM' } },
  { name: 'a panel entry past the 72-hour deadline is refused', changes: [panel({ consentDate: at(73 * 60) })], refused: '72 hours', then: undefined },
  { name: 'a panel entry in the future is refused', changes: [panel({ consentDate: at(-5) })], refused: 'future', then: undefined },
  { name: 'HS_2015 in the panel needs its date', changes: [panel({ source: 'HS_2015' })], refused: 'HS_2015', then: undefined },
  { name: 'a panel entry is normalised as the panel does', changes: [panel({ recipient: '0532 123 45 67' })], refused: null, then: { status: 'ONAY', source: 'HS_FIZIKSEL_ORTAM' } },
  { name: 'a citizen RET by short message after our ONAY', before: [[rec()]], changes: [citizen()], refused: null, then: { status: 'RET', source: 'IYS_3338' } },
  { name: 'a citizen RET as the first record is refused', changes: [citizen()], refused: 'first record', then: undefined },
  { name: 'a citizen RET after a RET is refused', before: [[rec({ consentDate: at(120) })], [rec({ status: 'RET' })]], changes: [citizen()], refused: 'RET after RET', then: { status: 'RET', source: 'HS_WEB' } },
  { name: 'a citizen RET not later than the stored record is refused', before: [[rec()]], changes: [citizen({ consentDate: at(60) })], refused: 'not later', then: { status: 'ONAY', source: 'HS_WEB' } },
  { name: 'a citizen RET in the future is refused', before: [[rec()]], changes: [citizen({ consentDate: at(-5) })], refused: 'future', then: { status: 'ONAY', source: 'HS_WEB' } },
  { name: 'the citizen gives ONAY again in the app after a RET', before: [[rec({ consentDate: at(120) })]], changes: [citizen({ consentDate: at(90) }), citizen({ status: 'ONAY', source: 'IYS_MOBIL', consentDate: at(10) })], refused: null, then: { status: 'ONAY', source: 'IYS_MOBIL' } },
  { name: 'EPOSTA to a phone is refused', changes: [panel({ type: 'EPOSTA' })], refused: 'e-mail', then: undefined },
  { name: 'a recipient that is not a Turkish number is refused', changes: [panel({ recipient: '+4915112345678' })], refused: 'recipient', then: undefined },
];

describe('sandbox changes made elsewhere', () => {
  test.each(CHANGE_ROWS)('$name', (row) => {
    const ledger = new SandboxLedger();
    let n = 0;
    for (const list of row.before ?? []) expect(ledger.handle(body(list), RULES, NOW, ++n).code).toBe(200);
    const verdicts = row.changes.map((c) => change(ledger, c));
    const last = verdicts.pop()!;
    for (const v of verdicts) expect(v.ok).toBe(true);
    if (row.refused === null) expect(last).toMatchObject({ ok: true, record: { origin: row.changes.at(-1)!.origin, requestNo: null, brandCode: '1234' } });
    else expect(last).toEqual({ ok: false, reason: expect.stringContaining(row.refused) });
    const j = ledger.show(showBody(), RULES);
    if (row.then === undefined) expect(j.code).toBe(422);
    else expect(j.consent).toMatchObject(row.then);
  });

  test('a citizen RET dated days ago is taken: İYS records its own changes, no 72-hour deadline', () => {
    const ledger = new SandboxLedger();
    const sixDaysAgo = NOW - 6 * 24 * 3600_000;
    expect(ledger.handle(body([rec({ consentDate: formatTurkeyTime(sixDaysAgo - 3600_000) })]), RULES, sixDaysAgo, 1).code).toBe(200);
    expect(change(ledger, citizen({ source: 'IYS_WEB', consentDate: at(5 * 24 * 60) }))).toMatchObject({ ok: true });
    expect(ledger.show(showBody(), RULES).consent).toMatchObject({ status: 'RET', source: 'IYS_WEB', consentDate: at(5 * 24 * 60) });
  });

  test('a change costs no quota and is judged against by later API requests', () => {
    const ledger = new SandboxLedger();
    expect(ledger.handle(body([rec({ consentDate: at(120) })]), RULES, NOW, 1).code).toBe(200);
    expect(change(ledger, citizen({ consentDate: at(90) })).ok).toBe(true);
    expect(ledger.usedInMonth(NOW)).toBe(1);
    // Our RET now follows the citizen's RET: İYS refuses it.
    const j = ledger.handle(body([rec({ status: 'RET' })]), RULES, NOW, 2);
    expect(j).toMatchObject({ code: 422, reason: expect.stringContaining('RET after RET') });
    expect(ledger.records().map((r) => [r.origin, r.status, r.source])).toEqual([
      ['api', 'ONAY', 'HS_WEB'],
      ['citizen', 'RET', 'IYS_3338'],
    ]);
  });
});
