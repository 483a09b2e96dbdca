import { describe, expect, it } from 'vitest';
import { ingestConsent } from '../../server/intake/web-consent.ts';
import { unmetRecipientNeed, type RecipientNeed } from '../../shared/channel-agreement.ts';
import type { Channel } from '../../shared/enums.ts';
import { iysRecordSchema } from '../../shared/iys-record.ts';
import { intakeHeadroomMs } from '../../shared/sendability.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';

const EMAIL = { kind: 'email', mobile: undefined, value: 'ayse@example.com', typed: 'Ayse@Example.com' } as const;
const MOBILE = { kind: 'phone', mobile: true, value: '+905321234567', typed: '0532 123 45 67' } as const;
const FIXED = { kind: 'phone', mobile: false, value: '+902121234567', typed: '0212 123 45 67' } as const;

// Every channel against every kind of recipient: what the channel still needs, or undefined.
const TABLE: [Channel, typeof EMAIL | typeof MOBILE | typeof FIXED, RecipientNeed | undefined][] = [
  ['EPOSTA', EMAIL, undefined],
  ['EPOSTA', MOBILE, 'email'],
  ['EPOSTA', FIXED, 'email'],
  ['MESAJ', EMAIL, 'phone'],
  ['MESAJ', MOBILE, undefined],
  ['MESAJ', FIXED, 'mobile'],
  ['ARAMA', EMAIL, 'phone'],
  ['ARAMA', MOBILE, undefined],
  ['ARAMA', FIXED, undefined],
];

describe('unmetRecipientNeed: the channel/recipient agreement rule', () => {
  it.each(TABLE)('%s to a %j recipient needs %s', (channel, recipient, need) => {
    expect(unmetRecipientNeed(channel, recipient)).toBe(need);
  });

  it('takes a phone without the mobile flag as not mobile', () => {
    expect(unmetRecipientNeed('MESAJ', { kind: 'phone' })).toBe('mobile');
  });
});

describe('the record schema and the web intake ask the same rule, each in its own words', () => {
  const consentDate = formatTurkeyTime(Date.now() - 60_000);
  // Where each refuses, and a phrase of its wording, by what the channel needs.
  const SCHEMA: Record<RecipientNeed, [string, string]> = { email: ['type', 'needs an e-mail recipient'], phone: ['type', 'needs a phone recipient'], mobile: ['recipient', 'needs a mobile number (+905…)'] };
  const WEB: Record<RecipientNeed, [string, string]> = { email: ['channels.0', 'the recipient is a phone number'], phone: ['channels.0', 'the recipient is an e-mail address'], mobile: ['recipient', 'needs a mobile number (05…)'] };

  it.each(TABLE)('%s to %j: refused by both exactly when it needs %s', (channel, recipient, need) => {
    const record = iysRecordSchema.safeParse({ recipient: recipient.value, recipientType: 'BIREYSEL', type: channel, status: 'ONAY', source: 'HS_WEB', consentDate });
    const web = ingestConsent({ recipient: recipient.typed, channels: [channel], consentDate }, { receivedAt: Date.now(), origin: null, ip: null, userAgent: null }, { clockToleranceS: 600, headroomMs: intakeHeadroomMs(1000) });
    if (need === undefined) {
      expect(record.success).toBe(true);
      expect(web.kind).toBe('records');
      return;
    }
    const [schemaPath, schemaWords] = SCHEMA[need];
    expect(record.error?.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))).toEqual([{ path: schemaPath, message: expect.stringContaining(schemaWords) }]);
    const [webPath, webWords] = WEB[need];
    expect(web).toEqual({ kind: 'invalid', issues: [{ path: webPath, message: expect.stringContaining(webWords) }] });
  });
});
