import { API_MESSAGES, MAX_BATCH } from '../../shared/iletimerkezi.ts';
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

/** A record the sandbox holds as registered: İYS's side of things, not a row of the collector's ledger. */
export interface SandboxRecord extends IysRecord {
  brandCode: string;
  /** Epoch ms the sandbox stored it. */
  storedAt: number;
  /** The number of the request that carried it (1, 2, … since the last reset). */
  requestNo: number;
}

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
  list: unknown;
};

function envelopeOf(body: unknown): Envelope | undefined {
  const request = (body as { request?: unknown } | null | undefined)?.request as
    | { authentication?: { key?: unknown; hash?: unknown }; consent?: { brandCode?: unknown; list?: unknown } }
    | undefined;
  if (typeof request !== 'object' || request === null) return undefined;
  return {
    key: request.authentication?.key,
    hash: request.authentication?.hash,
    brandCode: request.consent?.brandCode,
    list: request.consent?.list,
  };
}

/**
 * What the sandbox has stored, and the rules of iletiMerkezi + İYS applied to it. No I/O:
 * judge() decides without changing anything, commit() stores an accepted judgement.
 */
export class SandboxLedger {
  #records: SandboxRecord[] = [];
  #latest = new Map<string, KeyBelief>();
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
    this.#usedByMonth.clear();
  }

  /** Judges one parsed request body (undefined when it was not JSON) against the stored state. */
  judge(body: unknown, rules: SandboxRules, nowMs: number): Judgement {
    const env = envelopeOf(body);
    if (!env || typeof env.key !== 'string' || typeof env.hash !== 'string') {
      return answer(401, 'no request.authentication.key/hash in the body');
    }
    if (env.key !== rules.apiKey || env.hash !== rules.apiHash) return answer(401, 'API key or hash does not match');
    if (!rules.apiAccess) return answer(401, 'API access is switched off in the panel');
    if (!rules.subscription) return answer(403, 'no active İYS subscription');
    if (env.brandCode === undefined || env.brandCode === null || env.brandCode === '') {
      return answer(403, 'request.consent.brandCode is missing');
    }
    if (String(env.brandCode) !== String(rules.brandCode)) {
      return answer(rules.brandMismatchCode, `brandCode ${String(env.brandCode)} is not this account's`);
    }
    if (!Array.isArray(env.list) || env.list.length === 0) {
      return answer(422, 'request.consent.list must be a non-empty array');
    }
    const list: unknown[] = env.list;
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
    const brand = String(meta.brandCode);
    for (const r of j.toStore) {
      this.#records.push({ ...r, brandCode: brand, storedAt: meta.nowMs, requestNo: meta.requestNo });
      this.#latest.set(keyOf(r, brand), { status: r.status, consentDate: r.consentDate });
    }
    const month = monthOf(meta.nowMs);
    this.#usedByMonth.set(month, (this.#usedByMonth.get(month) ?? 0) + j.billed);
  }

  /** judge() then commit(): the whole of one request. */
  handle(body: unknown, rules: SandboxRules, nowMs: number, requestNo: number): Judgement {
    const j = this.judge(body, rules, nowMs);
    this.commit(j, { brandCode: rules.brandCode, nowMs, requestNo });
    return j;
  }
}
