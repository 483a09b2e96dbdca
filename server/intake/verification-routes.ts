import { Hono, type Context } from 'hono';
import type { Accepted } from '../../shared/consent-body.ts';
import { verificationCodeBodySchema } from '../../shared/verification.ts';
import type { Logger } from '../log/logger.ts';
import { bodyLimit, type BodyTextEnv } from '../http/body-limit.ts';
import { clientIp, rateKeyOf } from '../http/client-ip.ts';
import { errorResponse, storeUnavailable, type ErrorCode } from '../http/errors.ts';
import { originGate } from '../http/origin-gate.ts';
import { rateLimit } from '../http/rate-limit.ts';
import type { NewRecord } from '../stores/store.ts';
import type { SmsCap } from './sms-caps.ts';
import type { VerificationFlow } from './verification-flow.ts';
import { isMobile } from './verification-flow.ts';

/** `{"code": "123456"}` and nothing much else. */
const CODE_BODY_LIMIT = 1024;

const CAP_CODES: Record<SmsCap, ErrorCode> = { number: 'sms-cap-number', ip: 'sms-cap-ip', global: 'sms-cap-global', daily: 'sms-cap-daily' };
const CAP_WORDS: Record<SmsCap, string> = {
  number: 'this number was sent as many codes as it may get for now',
  ip: 'this address asked for as many codes as it may for now',
  global: 'the collector sent as many codes as it may for now',
  daily: 'the collector sent as many codes as it may today',
};

/**
 * A consent posted with `verify: "sms"`, once it is valid (consent-route.ts hands it over): held
 * until the code, 202 `awaiting-verification` with where the code went; 429 with the cap that
 * refused it; 422 when the collector has no sender or the number takes no SMS.
 */
export async function startVerification(
  c: Context, flow: VerificationFlow | null, held: { records: NewRecord[]; idempotencyKey: string | null }, ip: string | null, log: Logger,
): Promise<Response> {
  if (!flow) return errorResponse(c, 422, 'verification-off', 'this collector sends no verification codes (IYS_SMS_SENDER is not set)', [{ path: 'verify', message: 'SMS verification is not switched on here' }]);
  if (!isMobile(held.records[0]!.record.recipient)) {
    return errorResponse(c, 422, 'invalid-consent', 'an SMS code needs a Turkish mobile number', [{ path: 'recipient', message: 'verify "sms" needs a mobile number (05…) to send the code to' }]);
  }
  let result;
  try {
    result = await flow.start(held.records, held.idempotencyKey, rateKeyOf(ip), log);
  } catch (err) {
    log.error({ event: 'verification.store-failed', err: (err as Error).message }, 'the ledger refused a verification: answered 503');
    return storeUnavailable(c, 'consent');
  }
  switch (result.kind) {
    case 'capped':
      c.header('Retry-After', String(result.retryAfterS));
      return errorResponse(c, 429, CAP_CODES[result.cap], `${CAP_WORDS[result.cap]}; try again in ${result.retryAfterS} s`);
    case 'send-failed':
      c.header('Retry-After', '30');
      return errorResponse(c, 503, 'sms-unavailable', 'the verification code could not be sent; nothing was registered. Please try again shortly');
    case 'verified':
      return c.json({ ids: result.ids, state: 'pending' } satisfies Accepted, 202);
    case 'started':
      return c.json({ ids: [], state: 'awaiting-verification', verification: result.verification } satisfies Accepted, 202);
    case 'ended':
      return ended(c, result.state);
  }
}

export type VerificationRouteDeps = {
  config: { allowedOrigins: readonly string[]; rateLimit: number; trustProxy: boolean };
  flow: VerificationFlow | null;
  logger: Logger;
  now?: () => number;
};

type Env = BodyTextEnv & { Variables: { log: Logger | undefined } };

/** POST /v1/verifications/{id}: the code the person typed. Gated and limited like the consent post it completes. */
export function verificationRoutes(deps: VerificationRouteDeps): Hono<Env> {
  const { config, flow, logger } = deps;
  const routes = new Hono<Env>();
  const gate = originGate({ allowedOrigins: config.allowedOrigins, methods: ['POST'], headers: ['Content-Type'], logger, now: deps.now });
  const limit = rateLimit({ limit: config.rateLimit, now: deps.now, keyOf: (c) => rateKeyOf(clientIp(c, config.trustProxy)) });
  routes.options('/v1/verifications/:id', gate);
  routes.post('/v1/verifications/:id', gate, limit, bodyLimit({ maxBytes: CODE_BODY_LIMIT }), async (c) => {
    if (!flow) return errorResponse(c, 404, 'verification-not-found', 'this collector sends no verification codes');
    let json: unknown;
    try {
      json = JSON.parse(c.get('bodyText'));
    } catch {
      return errorResponse(c, 400, 'invalid-json', 'the body is not JSON: send {"code": "123456"}');
    }
    const body = verificationCodeBodySchema.safeParse(json);
    if (!body.success) {
      return errorResponse(c, 422, 'invalid-body', 'send the 6 digits of the SMS as {"code": "123456"}', [{ path: 'code', message: 'must be the 6 digits of the SMS' }]);
    }
    const log = c.get('log') ?? logger;
    let result;
    try {
      result = await flow.check(c.req.param('id'), body.data.code, log);
    } catch (err) {
      log.error({ event: 'verification.store-failed', err: (err as Error).message }, 'the ledger failed during a verification: answered 503');
      return storeUnavailable(c, 'code');
    }
    switch (result.kind) {
      case 'verified':
        return c.json({ ids: result.ids, state: 'pending' } satisfies Accepted, 200);
      case 'wrong':
        return errorResponse(c, 422, 'verification-code-wrong', `that is not the code sent; ${result.attemptsLeft} tries left`, [
          { path: 'code', message: `is not the code sent (${result.attemptsLeft} tries left)` },
        ]);
      case 'not-found':
        return errorResponse(c, 404, 'verification-not-found', 'no verification with this id');
      case 'ended':
        return ended(c, result.state);
    }
  });
  return routes;
}

function ended(c: Context, state: string): Response {
  if (state === 'expired') return errorResponse(c, 410, 'verification-expired', 'the code has expired; nothing was registered. Submit the form again for a new code');
  if (state === 'locked') return errorResponse(c, 410, 'verification-locked', 'too many wrong codes; nothing was registered. Submit the form again for a new code');
  return errorResponse(c, 410, 'verification-ended', `this verification has ended (${state}); submit the form again`);
}
