import type { Channel, RecipientType, RegistrySource } from '../../shared/enums.ts';
import { API_MESSAGES, MAX_BATCH, consentShowRequestSchema } from '../../shared/iletimerkezi.ts';
import { iysRecordSchemaAt, keyOf, type IysRecord } from '../../shared/iys-record.ts';
import { judgeTransition, type KeyBelief } from '../../shared/state-rules.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';

/** The account the sandbox pretends to be, and how strict it is. */
export interface SandboxRules {
  apiKey: string;
  apiHash: string;
  brandCode: string | number;
  /** The panel's "Allow API access" toggle: off → every request 401. */
  apiAccess: boolean;
  /** An active İYS subscription: off → 403. */
  subscription: boolean;
  /**
   * A brandCode that is not the account's: the document lists it under 403 ("brandCode is missing")
   * and under 422 cause 4. Default 403, because it says nothing about the records.
   */
  brandMismatchCode: 403 | 422;
  /** strict: ONAY after ONAY is refused (422) as İYS does; lenient: accepted (200) and not stored twice. */
  duplicates: 'strict' | 'lenient';
  /** Records a calendar month (Turkey time) may register; null: no quota. */
  monthlyQuota: number | null;
  /** Records for these recipients are refused (422), to plant "bad" records in tests and the demo. */
  refuseRecipients: ReadonlySet<string>;
}

export type AnswerCode = keyof typeof API_MESSAGES;

/** The sandbox's decision on one request; `reason` is the English detail the real service never gives. */
export interface Judgement {
  code: AnswerCode;
  message: string;
  reason: string;
  /** Records to store (only when code is 200): redundant ONAYs in lenient mode are left out. */
  toStore: IysRecord[];
  /** Records counted against the monthly quota (the whole list of an accepted request). */
  billed: number;
  /** Records in the request's list, when there was a list. */
  listSize: number | null;
}

/** A record as İYS holds it: any source İYS may show, the brand's HS_* or İYS's own IYS_*. */
export type HeldRecord = Omit<IysRecord, 'source'> & { source: RegistrySource };

/** Where a held record came from: consent/create, the brand's panel, or the citizen through İYS's own channels. */
export type RecordOrigin = 'api' | 'panel' | 'citizen';

/** A record the sandbox holds as registered: İYS's side of things, not a row of the collector's ledger. */
export interface SandboxRecord extends HeldRecord {
  brandCode: string;
  /** Epoch ms the sandbox stored it. */
  storedAt: number;
  /** Where it came from: consent/create (`api`), the brand's panel (`panel`), the citizen through İYS (`citizen`). */
  origin: RecordOrigin;
  /** The number of the consent/create request that carried it (1, 2, … since the last reset); null for a change made elsewhere. */
  requestNo: number | null;
}

/** The key a consent/show request asked about, as far as its body said (for the request log). */
export interface AskedKey {
  recipient: string | null;
  recipientType: string | null;
  type: string | null;
}

/** The sandbox's answer to one consent/show request. */
export interface ShowJudgement {
  code: 200 | 401 | 403 | 422;
  message: string;
  reason: string;
  /** With code 200: the key's latest record in the shape of İYS's single-status query, or `[]` for none. */
  consent?: ShownConsentBody | [];
  asked: AskedKey;
}

/** İYS's single-status query shape: the record, its key, and when İYS created it. */
export interface ShownConsentBody {
  type: Channel;
  source: RegistrySource;
  recipient: string;
  recipientType: RecipientType;
  status: IysRecord['status'];
  consentDate: string;
  creationDate: string;
}

export type ChangeVerdict = { ok: true; record: SandboxRecord } | { ok: false; reason: string };

const answer = (code: AnswerCode, reason: string, listSize: number | null = null): Judgement => ({
  code,
  message: API_MESSAGES[code],
  reason,
  toStore: [],
  billed: 0,
  listSize,
});

const monthOf = (nowMs: number) => formatTurkeyTime(nowMs).slice(0, 7);

type Envelope = {
  key: unknown;
  hash: unknown;
  brandCode: unknown;
  consent: Record<string, unknown>;
};

function envelopeOf(body: unknown): Envelope | undefined {
  const request = (body as { request?: unknown } | null | undefined)?.request as
    | { authentication?: { key?: unknown; hash?: unknown }; consent?: Record<string, unknown> }
    | undefined;
  if (typeof request !== 'object' || request === null) return undefined;
  const consent = typeof request.consent === 'object' && request.consent !== null ? request.consent : {};
  return { key: request.authentication?.key, hash: request.authentication?.hash, brandCode: consent.brandCode, consent };
}

/** The account checks every call passes first, create and show alike: credentials, API access, subscription, a brand code. */
function accountRefusal(env: Envelope | undefined, rules: SandboxRules): { code: 401 | 403; reason: string } | undefined {
  if (!env || typeof env.key !== 'string' || typeof env.hash !== 'string') {
    return { code: 401, reason: 'no request.authentication.key/hash in the body' };
  }
  if (env.key !== rules.apiKey || env.hash !== rules.apiHash) return { code: 401, reason: 'API key or hash does not match' };
  if (!rules.apiAccess) return { code: 401, reason: 'API access is switched off in the panel' };
  if (!rules.subscription) return { code: 403, reason: 'no active İYS subscription' };
  if (env.brandCode === undefined || env.brandCode === null || env.brandCode === '') {
    return { code: 403, reason: 'request.consent.brandCode is missing' };
  }
  return undefined;
}

const stringOrNull = (v: unknown) => (typeof v === 'string' ? v : null);

/**
 * What the sandbox has stored, and the rules of iletiMerkezi + İYS applied to it. No I/O:
 * judge() decides without changing anything, commit() stores an accepted judgement.
 */
export class SandboxLedger {
  #records: SandboxRecord[] = [];
  /** The latest record of each key (brand + recipient + recipientType + type). */
  #latest = new Map<string, SandboxRecord>();
  /** `brand|recipient` of every recipient with at least one record. */
  #recipients = new Set<string>();
  #usedByMonth = new Map<string, number>();

  records(): readonly SandboxRecord[] {
    return this.#records;
  }

  usedInMonth(nowMs: number): number {
    return this.#usedByMonth.get(monthOf(nowMs)) ?? 0;
  }

  reset(): void {
    this.#records = [];
    this.#latest.clear();
    this.#recipients.clear();
    this.#usedByMonth.clear();
  }

  /** Judges one parsed request body (undefined when it was not JSON) against the stored state. */
  judge(body: unknown, rules: SandboxRules, nowMs: number): Judgement {
    const env = envelopeOf(body);
    const refused = accountRefusal(env, rules);
    if (refused) return answer(refused.code, refused.reason);
    if (String(env!.brandCode) !== String(rules.brandCode)) {
      return answer(rules.brandMismatchCode, `brandCode ${String(env!.brandCode)} is not this account's`);
    }
    const list = env!.consent.list;
    if (!Array.isArray(list) || list.length === 0) {
      return answer(422, 'request.consent.list must be a non-empty array');
    }
    const n = list.length;
    if (n > MAX_BATCH) return answer(475, `${n} records, more than ${MAX_BATCH}`, n);
    if (rules.monthlyQuota !== null && this.usedInMonth(nowMs) + n > rules.monthlyQuota) {
      return answer(405, `monthly quota ${rules.monthlyQuota}: ${this.usedInMonth(nowMs)} used, ${n} asked`, n);
    }

    const schema = iysRecordSchemaAt(nowMs);
    const records: IysRecord[] = [];
    for (let i = 0; i < n; i++) {
      const parsed = schema.safeParse(list[i]);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return answer(422, `list[${i}].${issue.path.join('.') || '(record)'}: ${issue.message}`, n);
      }
      if (rules.refuseRecipients.has(parsed.data.recipient)) {
        return answer(422, `list[${i}].recipient is on the refuse list`, n);
      }
      records.push(parsed.data);
    }

    // Earlier records of the same request count as stored for the later ones.
    const brand = String(rules.brandCode);
    const overlay = new Map<string, KeyBelief>();
    const toStore: IysRecord[] = [];
    for (let i = 0; i < n; i++) {
      const r = records[i]!;
      const key = keyOf(r, brand);
      const current = overlay.has(key) ? overlay.get(key) : this.#latest.get(key);
      const verdict = judgeTransition(current, r);
      if (verdict.verdict === 'refused') return answer(422, `list[${i}]: ${verdict.reason}`, n);
      if (verdict.verdict === 'redundant') {
        if (rules.duplicates === 'strict') return answer(422, `list[${i}]: ${verdict.reason}`, n);
        continue;
      }
      overlay.set(key, { status: r.status, consentDate: r.consentDate });
      toStore.push(r);
    }
    const skipped = n - toStore.length;
    return {
      code: 200,
      message: API_MESSAGES[200],
      reason: skipped ? `${toStore.length} stored, ${skipped} redundant ONAY not stored twice` : `${n} stored`,
      toStore,
      billed: n,
      listSize: n,
    };
  }

  /** Stores what an accepted judgement carries; anything else stores nothing (batch atomicity). */
  commit(j: Judgement, meta: { brandCode: string | number; nowMs: number; requestNo: number }): void {
    if (j.code !== 200) return;
    for (const r of j.toStore) this.#store(r, { brandCode: String(meta.brandCode), storedAt: meta.nowMs, origin: 'api', requestNo: meta.requestNo });
    const month = monthOf(meta.nowMs);
    this.#usedByMonth.set(month, (this.#usedByMonth.get(month) ?? 0) + j.billed);
  }

  /**
   * Answers one parsed consent/show body as iletiMerkezi does: the account checks of create (401/403);
   * a brand code not the account's → 200 with `consent: []` (as observed upstream); the key's latest
   * record → 200; records of the recipient under the brand but none of this type → 200 with `[]`;
   * no record of the recipient at all → 422. Reads change nothing and cost no quota.
   */
  show(body: unknown, rules: SandboxRules): ShowJudgement {
    const env = envelopeOf(body);
    const asked: AskedKey = {
      recipient: stringOrNull(env?.consent.recipient),
      recipientType: stringOrNull(env?.consent.recipientType),
      type: stringOrNull(env?.consent.type),
    };
    const reply = (code: ShowJudgement['code'], reason: string, consent?: ShowJudgement['consent']): ShowJudgement =>
      consent === undefined ? { code, message: API_MESSAGES[code], reason, asked } : { code, message: API_MESSAGES[code], reason, consent, asked };
    const refused = accountRefusal(env, rules);
    if (refused) return reply(refused.code, refused.reason);
    const brand = String(rules.brandCode);
    if (String(env!.brandCode) !== brand) return reply(200, `brandCode ${String(env!.brandCode)} is not this account's: no record`, []);
    const parsed = consentShowRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return reply(422, `${issue.path.join('.')}: ${issue.message}`);
    }
    const key = parsed.data.request.consent;
    const latest = this.#latest.get(keyOf(key, brand));
    if (latest) {
      const { type, source, recipient, recipientType, status, consentDate, storedAt } = latest;
      return reply(200, `${status} ${source} ${consentDate} (${latest.origin})`, {
        type, source, recipient, recipientType, status, consentDate, creationDate: formatTurkeyTime(storedAt),
      });
    }
    if (this.#recipients.has(`${brand}|${key.recipient}`)) return reply(200, `no record of ${key.recipientType} ${key.type} under the brand`, []);
    return reply(422, 'no İYS record for this recipient');
  }

  /**
   * Holds a record made outside the collector (the brand's panel, or the citizen through İYS) when
   * the İYS state rules allow it; refused with the reason otherwise. Costs no quota.
   */
  holdFromElsewhere(record: HeldRecord, origin: Exclude<RecordOrigin, 'api'>, brandCode: string | number, nowMs: number): ChangeVerdict {
    const brand = String(brandCode);
    const verdict = judgeTransition(this.#latest.get(keyOf(record, brand)), record);
    if (verdict.verdict !== 'allowed') return { ok: false, reason: verdict.reason };
    return { ok: true, record: this.#store(record, { brandCode: brand, storedAt: nowMs, origin, requestNo: null }) };
  }

  #store(r: HeldRecord, meta: Pick<SandboxRecord, 'brandCode' | 'storedAt' | 'origin' | 'requestNo'>): SandboxRecord {
    const held: SandboxRecord = { ...r, ...meta };
    this.#records.push(held);
    this.#latest.set(keyOf(r, meta.brandCode), held);
    this.#recipients.add(`${meta.brandCode}|${r.recipient}`);
    return held;
  }

  /** judge() then commit(): the whole of one request. */
  handle(body: unknown, rules: SandboxRules, nowMs: number, requestNo: number): Judgement {
    const j = this.judge(body, rules, nowMs);
    this.commit(j, { brandCode: rules.brandCode, nowMs, requestNo });
    return j;
  }
}
