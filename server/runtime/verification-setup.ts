import type { Config } from './config.ts';
import type { Logger } from '../log/logger.ts';
import type { SmsSender } from '../iletimerkezi/sms-client.ts';
import { createVerificationFlow, type VerificationFlow } from '../intake/verification-flow.ts';
import type { Metrics } from '../observability/metrics.ts';
import { verificationMetrics } from '../observability/verification-metrics.ts';
import type { ConsentStore } from '../stores/store.ts';

/** How often unverified consents past their code's lifetime are marked expired. */
export const VERIFICATION_SWEEP_MS = 30_000;

/** The SMS code double opt-in as configured, or null when IYS_SMS_SENDER is not set (and not the sandbox). */
export function makeVerification(deps: {
  config: Config; store: ConsentStore; logger: Logger; metrics: Metrics; sms: () => SmsSender | null; now?: () => number;
}): VerificationFlow | null {
  const { verification } = deps.config;
  if (verification.sender === null) return null;
  return createVerificationFlow({
    config: verification, store: deps.store, sms: deps.sms, logger: deps.logger, now: deps.now, metrics: verificationMetrics(deps.metrics.registry),
  });
}

/** Expires unverified consents every VERIFICATION_SWEEP_MS; returns the stop. A failed sweep is logged and tried again next time. */
export function sweepVerifications(flow: VerificationFlow, logger: Logger, everyMs = VERIFICATION_SWEEP_MS): () => void {
  const timer = setInterval(() => {
    flow.expire(logger).catch((err: Error) => logger.warn({ event: 'verification.sweep-failed', err: err.message }, 'expiring unverified consents failed; tried again shortly'));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
