/**
 * The words the widget shows, in Turkish (the default) and English. Changing a sentence changes
 * what people agreed to: bump NOTICE_VERSION with it, so the evidence names the text it refers to.
 */
import type { Channel } from '../shared/enums.ts';

export type Lang = 'tr' | 'en';

export const NOTICE_VERSION = '2026-01-01';

export type Texts = {
  legend: string;
  channel: Record<Channel, string>;
  consent: (brand: string, channel: string) => string;
  withdraw: (brand: string, channel: string) => string;
  phone: string;
  email: string;
  save: string;
  revoke: string;
  sending: string;
  sent: string;
  failed: string;
  required: string;
  bad: string;
};

export const TEXTS: Record<Lang, Texts> = {
  tr: {
    legend: 'Ticari elektronik ileti izni',
    channel: { MESAJ: 'SMS', EPOSTA: 'e-posta', ARAMA: 'telefon araması' },
    // "tarafından" keeps the brand free of Turkish suffixes, which depend on how the name sounds.
    consent: (b, c) => `${b} tarafından tarafıma ${c} yoluyla ticari elektronik ileti gönderilmesine onay veriyorum.`,
    withdraw: (b, c) => `${b} tarafından ${c} yoluyla ticari elektronik ileti gönderilmesine verdiğim onayı geri alıyorum.`,
    phone: 'Telefon numarası',
    email: 'E-posta adresi',
    save: 'İzni kaydet',
    revoke: 'Onayı geri al',
    sending: 'Gönderiliyor…',
    sent: 'Kaydedildi.',
    failed: 'Gönderilemedi.',
    required: 'En az bir kanal seçin.',
    bad: ' geçerli değil.',
  },
  en: {
    legend: 'Commercial electronic messages',
    channel: { MESAJ: 'SMS', EPOSTA: 'e-mail', ARAMA: 'phone call' },
    consent: (b, c) => `I agree to receive commercial electronic messages from ${b} by ${c}.`,
    withdraw: (b, c) => `I withdraw my consent to commercial electronic messages from ${b} by ${c}.`,
    phone: 'Phone number',
    email: 'E-mail address',
    save: 'Save consent',
    revoke: 'Withdraw consent',
    sending: 'Sending…',
    sent: 'Saved.',
    failed: 'Not sent.',
    required: 'Tick at least one channel.',
    bad: ' is not valid.',
  },
};

/** Turkish unless the language tag says English. */
export const pickLang = (tag: string | null | undefined): Lang => (/^en\b/i.test(tag || '') ? 'en' : 'tr');
