import { Counter, type Registry } from 'prom-client';
import type { SmsCap } from '../intake/sms-caps.ts';
import type { VerificationMetrics } from '../intake/verification-flow.ts';

const CAPS: readonly SmsCap[] = ['number', 'ip', 'global', 'daily'];
const ENDS = ['verified', 'wrong-code', 'locked', 'expired'] as const;

/**
 * The SMS code double opt-in on /metrics: codes sent (and failed), codes refused by each cap (a
 * rising `number` or `ip` count is someone bombing or pumping), and how verifications end.
 */
export function verificationMetrics(registry: Registry): VerificationMetrics {
  const sent = new Counter({ name: 'iys_sms_codes_total', help: 'Verification codes sent through send-sms, by result (sent, failed)', labelNames: ['result'] as const, registers: [registry] });
  const refused = new Counter({ name: 'iys_sms_codes_refused_total', help: 'Verification codes refused by a cap (number, ip, global, daily): answered 429', labelNames: ['cap'] as const, registers: [registry] });
  const ended = new Counter({ name: 'iys_verifications_total', help: 'Codes typed and verifications ended, by outcome (verified, wrong-code, locked, expired)', labelNames: ['outcome'] as const, registers: [registry] });
  // Every series from the start, so a dashboard sees 0 before the first one.
  for (const result of ['sent', 'failed']) sent.inc({ result }, 0);
  for (const cap of CAPS) refused.inc({ cap }, 0);
  for (const outcome of ENDS) ended.inc({ outcome }, 0);
  return {
    smsSent: (ok) => sent.inc({ result: ok ? 'sent' : 'failed' }),
    smsRefused: (cap) => refused.inc({ cap }),
    ended: (outcome) => ended.inc({ outcome }),
  };
}
