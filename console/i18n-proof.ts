/**
 * The console's words for what read-back (İYS's confirmations, the records it holds that the
 * collector did not send) and proof (the notice registry, the SMS code, the form token) add; i18n.ts
 * merges them into its dictionaries.
 */

export const trMore = {
  // dashboard: read-back
  readbackTitle: 'İYS\'den geri okuma',
  readbackOurs: 'Gönderdiğimiz ve kaydedilen',
  readbackConfirmed: 'İYS\'de doğrulandı',
  readbackUnseen: 'İYS\'de görünmedi (işaretli)',
  readbackSuperseded: 'Daha yeni bir kayıtla değişti',
  observedTitle: 'İYS\'de olup bizim göndermediğimiz kayıtlar',
  observedCitizen: 'Vatandaş (IYS_*: 3338, web, mobil)',
  observedPanel: 'Marka paneli ya da başka entegrasyon (HS_*)',
  driftStatus: 'Başka durum (ör. vatandaşın RET\'i)',
  driftRecord: 'Aynı durum, başka kayıt',
  readbackLast: 'Son İYS sorgusu: {t}.',
  readbackNever: 'Henüz İYS\'den okuma yapılmadı (IYS_READBACK kapalı ya da kaydedilen kayıt yok).',
} as const;

export const enMore: Record<keyof typeof trMore, string> = {
  readbackTitle: 'Read-back from İYS',
  readbackOurs: 'Registered, sent by us',
  readbackConfirmed: 'Confirmed at İYS',
  readbackUnseen: 'Unseen at İYS (flagged)',
  readbackSuperseded: 'Superseded by a later record',
  observedTitle: 'Records İYS holds that we did not send',
  observedCitizen: 'The citizen (IYS_*: 3338, web, mobile)',
  observedPanel: "The brand's panel or another integration (HS_*)",
  driftStatus: "Another status (e.g. a citizen's RET)",
  driftRecord: 'Same status, another record',
  readbackLast: 'Last look-up in İYS: {t}.',
  readbackNever: 'Nothing read back from İYS yet (IYS_READBACK off, or nothing registered).',
};
