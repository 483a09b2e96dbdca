import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { noticeText } from '../../shared/notice-text.ts';
import type { FieldIssue } from '../../shared/issues.ts';
import { errorResponse, storeUnavailable } from '../http/errors.ts';
import type { Logger } from '../log/logger.ts';
import type { ProofStore, RegisteredNotice } from '../stores/proof-store.ts';
import type { Evidence, NewRecord } from '../stores/store.ts';

/**
 * The notice registry's side of intake: every web consent's posted notice is compared with the
 * texts the operator registered, the result kept in its evidence (noticeMatch, noticeRegistered),
 * and under IYS_NOTICE_POLICY=require a consent whose text is not a registered one is refused.
 */

export const NOTICE_POLICIES = ['record', 'require'] as const;
export type NoticePolicy = (typeof NOTICE_POLICIES)[number];

/** The hash the widget posts for `text` (widget/notice.ts: SHA-256 of the flattened text, UTF-8). */
export function noticeHash(text: string): string {
  return 'sha256:' + createHash('sha256').update(noticeText(text), 'utf8').digest('hex');
}

export type NoticeJudgement = Pick<Evidence, 'noticeMatch' | 'noticeRegistered'> & { issue?: FieldIssue };

/**
 * The posted notice against the registered texts that hash like it (`candidates`). The one of the
 * posted version and language is preferred; a text registered under another version is still a
 * registered text, and that version is what the evidence names.
 */
export function judgeNotice(posted: Pick<Evidence, 'noticeVersion' | 'noticeHash' | 'noticeLang'>, candidates: readonly RegisteredNotice[]): NoticeJudgement {
  if (posted.noticeVersion === null) {
    return { noticeMatch: 'no-notice', noticeRegistered: null, issue: { path: 'notice', message: 'is required: this collector takes consents to registered texts only' } };
  }
  const best = candidates.find((n) => n.version === posted.noticeVersion && n.lang === (posted.noticeLang ?? n.lang))
    ?? candidates.find((n) => n.version === posted.noticeVersion) ?? candidates[0];
  if (best) return { noticeMatch: 'matched', noticeRegistered: best.version };
  const named = `version ${JSON.stringify(posted.noticeVersion)}${posted.noticeLang ? ` (${posted.noticeLang})` : ''}`;
  const issue = posted.noticeHash === null
    ? { path: 'notice.hash', message: `is missing: the text of ${named} cannot be matched with a registered one` }
    : { path: 'notice.hash', message: `is not the hash of a registered text: ${named} is not registered with that text` };
  return { noticeMatch: 'unmatched', noticeRegistered: null, issue };
}

// Registered texts never change, so what a hash matched stays true; but a version registered later
// may hold the same words, so a hash whose cached texts lack the posted version is asked again, as are
// hashes that matched nothing.
const CACHED_HASHES = 1000;

export type NoticeGate = (c: Context, records: NewRecord[]) => Promise<Response | undefined>;

/** The gate the consent route calls once a consent is parsed: undefined to go on, or the refusal. */
export function noticeGate(opts: { proof: () => ProofStore; policy: NoticePolicy; logger: Logger }): NoticeGate {
  const matched = new Map<string, RegisteredNotice[]>();
  return async (c, records) => {
    const evidence = records[0]!.evidence;
    let candidates: RegisteredNotice[] = [];
    if (evidence.noticeHash !== null) {
      try {
        const cached = matched.get(evidence.noticeHash);
        candidates = cached?.some((n) => n.version === evidence.noticeVersion) ? cached : await opts.proof().noticesByHash(evidence.noticeHash);
      } catch (err) {
        opts.logger.error({ event: 'consent.store-failed', err: (err as Error).message }, 'the ledger failed reading the notice registry: answered 503');
        return storeUnavailable(c, 'consent');
      }
      if (candidates.length > 0 && (matched.has(evidence.noticeHash) || matched.size < CACHED_HASHES)) matched.set(evidence.noticeHash, candidates);
    }
    const { issue, ...judged } = judgeNotice(evidence, candidates);
    if (issue && opts.policy === 'require') {
      return errorResponse(c, 422, 'unknown-notice', `the notice ${evidence.noticeVersion === null ? 'is missing' : `version ${JSON.stringify(evidence.noticeVersion)} with this text is not registered`}; nothing was stored`, [issue]);
    }
    // One consent's evidence is shared by its channels' records; set on each all the same.
    for (const r of records) Object.assign(r.evidence, judged);
    return undefined;
  };
}
