import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { Logger } from '../log/logger.ts';
import type { ConsentStore } from '../stores/store.ts';
import { newRecordId } from '../stores/record-id.ts';
import { maskRecipient } from '../../shared/recipient.ts';
import type { Accepted } from '../../shared/consent-body.ts';
import { intakeHeadroomMs } from '../../shared/sendability.ts';
import { bodyLimit, bodyRefused, type BodyRefusal, type BodyTextEnv } from '../http/body-limit.ts';
import { clientIp, rateKeyOf } from '../http/client-ip.ts';
import { originGate } from '../http/origin-gate.ts';
import { errorResponse, idempotencyKeyReused, storeUnavailable } from '../http/errors.ts';
import { IdempotencyKeyReusedError } from '../stores/idempotency.ts';
import { parseConsentText, type RequestMeta } from './web-consent.ts';
import { rateLimit } from '../http/rate-limit.ts';
import type { VerificationFlow } from './verification-flow.ts';
import { startVerification } from './verification-routes.ts';
import type { NoticeGate } from './notice-registry.ts';
import type { FormTokenGate } from './form-token-gate.ts';

/** A consent is under 2 KB; 16 KB leaves room for long page URLs and notice texts, and no more. */
export const CONSENT_BODY_LIMIT = 16 * 1024;

export type ConsentRouteDeps = {
  /** The settings of runtime/config.ts the route reads. */
  config: { allowedOrigins: readonly string[]; rateLimit: number; trustProxy: boolean; clockToleranceS: number; flushMs: number };
  store: Pick<ConsentStore, 'insert'>;
  logger: Logger;
  now?: () => number;
  /** Bytes; CONSENT_BODY_LIMIT unless a test wants another. */
  bodyLimit?: number;
  /** The ingest histogram of observability/metrics.ts. */
  metrics?: { observeIngest(ms: number): void };
  /** The SMS code double opt-in; null or absent when IYS_SMS_SENDER is not set. */
  verification?: VerificationFlow | null;
  /** The notice registry's judgement of each consent (notice-registry.ts); without it nothing is judged. */
  notices?: NoticeGate;
  /** Signed form tokens and posts without Origin (form-token-gate.ts); without it every post passes. */
  formTokens?: FormTokenGate;
};

/** `log` is the request's child logger (request-id.ts) when the app set one up: its lines carry the requestId. */
type Env = BodyTextEnv & { Variables: { receivedAt: number; log: Logger | undefined; accessLogged: boolean } };

// JSON, or text/plain holding JSON (a "simple" request a browser sends without a preflight).
const ACCEPTED_TYPE = /^(application\/json|text\/plain)\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** Only the media type and charset matter; other parameters (boundary=…) make it something else. */
export function isConsentContentType(header: string | undefined): boolean {
  return header !== undefined && ACCEPTED_TYPE.test(header.trim());
}

function refuseConsentBody(c: Context, refusal: BodyRefusal): Response {
  if (refusal.reason !== 'too-large') return bodyRefused(c, refusal);
  return errorResponse(c, 413, 'body-too-large', `the body is over ${refusal.maxBytes} bytes; a consent is well under 2 KB`);
}

/** POST /v1/consents: the endpoint every widget posts to. */
export function consentRoutes(deps: ConsentRouteDeps): Hono<Env> {
  const { config, store, logger } = deps;
  const now = deps.now ?? Date.now;
  const ingestOptions = { clockToleranceS: config.clockToleranceS, headroomMs: intakeHeadroomMs(config.flushMs) };
  const routes = new Hono<Env>();

  const stampArrival: MiddlewareHandler<Env> = async (c, next) => {
    // The consent happened before the body finished arriving: stamp the moment the request came in.
    c.set('receivedAt', now());
    return next();
  };
  const gate = originGate({ allowedOrigins: config.allowedOrigins, methods: ['POST'], headers: ['Content-Type'], logger, now });
  const limit = rateLimit({ limit: config.rateLimit, now, keyOf: (c) => rateKeyOf(clientIp(c, config.trustProxy)) });
  const mediaType: MiddlewareHandler<Env> = async (c, next) => {
    if (!isConsentContentType(c.req.header('content-type'))) {
      return errorResponse(c, 415, 'unsupported-media-type', 'send the consent as application/json or as text/plain holding JSON, in UTF-8');
    }
    return next();
  };

  routes.options('/v1/consents', gate);
  routes.post('/v1/consents', stampArrival, gate, limit, mediaType, bodyLimit({ maxBytes: deps.bodyLimit ?? CONSENT_BODY_LIMIT, onError: refuseConsentBody }), async (c) => {
    // c.get, not c.var: c.var copies every variable into a new object on each read.
    const meta: RequestMeta = {
      receivedAt: c.get('receivedAt'),
      origin: c.req.header('origin') ?? null,
      ip: clientIp(c, config.trustProxy),
      userAgent: c.req.header('user-agent') ?? null,
    };
    const result = parseConsentText(c.get('bodyText'), meta, ingestOptions);
    const log = c.get('log') ?? logger;

    switch (result.kind) {
      case 'unparseable':
        return errorResponse(c, 400, 'invalid-json', result.message);
      case 'invalid':
        return errorResponse(c, 422, 'invalid-consent', 'the consent is not valid; see issues', result.issues);
      case 'honeypot': {
        // Look exactly like success so the bot learns nothing; keep no record.
        log.warn({ event: 'consent.honeypot', ip: meta.ip, origin: meta.origin }, 'honeypot field filled: answered 202, stored nothing');
        const ids = Array.from({ length: result.channels }, () => newRecordId(meta.receivedAt));
        return c.json({ ids, state: 'pending' } satisfies Accepted, 202);
      }
      case 'records':
        break;
    }
    const refused = (await deps.notices?.(c, result.records)) ?? (await deps.formTokens?.(c, result, meta.receivedAt));
    if (refused) return refused;
    if (result.verify) return startVerification(c, deps.verification ?? null, result, meta.ip, log);

    let inserted;
    try {
      inserted = await store.insert(result.records, result.idempotencyKey);
    } catch (err) {
      if (err instanceof IdempotencyKeyReusedError) {
        log.warn({ event: 'consent.key-reused', idempotencyKey: err.idempotencyKey, origin: meta.origin }, 'idempotency key reused with other records: answered 409, stored nothing');
        return idempotencyKeyReused(c);
      }
      log.error({ event: 'consent.store-failed', err: (err as Error).message }, 'the ledger refused an insert: answered 503');
      return storeUnavailable(c, 'consent');
    }
    const first = result.records[0]!;
    const ms = now() - meta.receivedAt;
    // This line is the request's line: it stands for the access line as well.
    c.set('accessLogged', true);
    log.info(
      {
        event: 'consent.accepted',
        method: 'POST',
        path: '/v1/consents',
        ids: inserted.ids,
        recipient: maskRecipient(first.record.recipient),
        channels: first.evidence.channels,
        status: first.record.status,
        duplicate: inserted.duplicate,
        replacedConsentDate: result.replacedConsentDate,
        correctedConsentDate: result.correctedConsentDate,
        origin: meta.origin,
        ms,
      },
      inserted.duplicate ? 'consent repeated (idempotency key seen): same ids' : 'consent stored',
    );
    deps.metrics?.observeIngest(ms);
    return c.json({ ids: inserted.ids, state: 'pending' } satisfies Accepted, 202);
  });

  return routes;
}
