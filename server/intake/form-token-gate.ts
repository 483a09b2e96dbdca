import type { Context } from 'hono';
import { errorResponse, storeUnavailable } from '../http/errors.ts';
import type { Logger } from '../log/logger.ts';
import type { ProofStore } from '../stores/proof-store.ts';
import type { NewRecord } from '../stores/store.ts';
import { readFormToken } from './form-token.ts';

export type FormTokenOptions = {
  /** IYS_FORM_TOKEN_SECRET; null: tokens off (none asked for, none checked). */
  key: string | null;
  ttlMs: number;
  /** IYS_ALLOW_NO_ORIGIN: posts without Origin (servers, apps) are taken, without a token. */
  allowNoOrigin: boolean;
  proof: () => ProofStore;
  now: () => number;
  logger: Logger;
};

/** What the gate reads of a parsed consent. */
export type TokenedConsent = { records: NewRecord[]; idempotencyKey: string | null; formToken: string | null };

export type FormTokenGate = (c: Context, consent: TokenedConsent, receivedAt: number) => Promise<Response | undefined>;

const MESSAGES = {
  'form-token-missing': 'this collector takes browser consents only with a form token: the widget fetches one from GET /v1/form-token',
  'form-token-invalid': 'the form token was not issued by this collector for this origin',
  'form-token-expired': 'the form token has expired: fetch a new one from GET /v1/form-token and send the consent again',
  'form-token-reused': 'the form token was used for another consent already: a token is good for one consent',
} as const;

/**
 * The gate the consent route calls once a consent is parsed: a browser post (it carries Origin) must
 * bring a valid, unexpired token not used for another consent (403 with the reason otherwise); the
 * token's nonce is then kept in the ledger until it expires, and its age joins the evidence. A post
 * without Origin passes only when IYS_ALLOW_NO_ORIGIN allows it (403 origin-required otherwise).
 */
export function formTokenGate(opts: FormTokenOptions): FormTokenGate {
  return async (c, consent, receivedAt) => {
    const origin = c.req.header('origin');
    if (origin === undefined) {
      if (opts.allowNoOrigin) return undefined;
      return errorResponse(c, 403, 'origin-required', 'this collector takes consents from browsers only (a post without Origin is refused: IYS_ALLOW_NO_ORIGIN is off)');
    }
    if (opts.key === null) return undefined;
    const refuse = (code: keyof typeof MESSAGES) => {
      ((c.get('log') as Logger | undefined) ?? opts.logger).warn({ event: 'consent.form-token-refused', reason: code, origin }, `answered 403 ${code}`);
      return errorResponse(c, 403, code, MESSAGES[code], [{ path: 'formToken', message: MESSAGES[code] }]);
    };
    if (consent.formToken === null) return refuse('form-token-missing');
    const token = readFormToken(opts.key, consent.formToken, origin, opts.now(), opts.ttlMs);
    if (!token.ok) return refuse(token.reason === 'expired' ? 'form-token-expired' : 'form-token-invalid');
    let use;
    try {
      use = await opts.proof().useNonce(token.nonce, consent.idempotencyKey, token.issuedAt + opts.ttlMs, opts.now());
    } catch (err) {
      opts.logger.error({ event: 'consent.store-failed', err: (err as Error).message }, 'the ledger failed keeping a form token\'s nonce: answered 503');
      return storeUnavailable(c, 'consent');
    }
    // A resend of the same consent (the widget's outbox, same idempotencyKey) may carry its token again.
    if (use === 'reused') return refuse('form-token-reused');
    const formTokenAgeMs = Math.max(0, receivedAt - token.issuedAt);
    for (const r of consent.records) r.evidence.formTokenAgeMs = formTokenAgeMs;
    return undefined;
  };
}
