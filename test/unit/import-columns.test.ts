import { describe, expect, it } from 'vitest';
import { columnOf, fold, IMPORT_COLUMNS, valueOf } from '../../server/cli/import-columns.ts';

describe('import column names', () => {
  it.each([
    ['Telefon', 'recipient'], ['Cep', 'recipient'], ['Cep Telefonu', 'recipient'], ['CEP TELEFONU', 'recipient'], ['cep_telefonu', 'recipient'],
    ['E-posta', 'recipient'], ['EPOSTA', 'recipient'], ['e-mail', 'recipient'], ['recipient', 'recipient'],
    ['Kanal', 'type'], ['KANAL', 'type'], ['İzin Türü', 'type'], ['IZIN TURU', 'type'], ['type', 'type'],
    ['Durum', 'status'], ['DURUM', 'status'], ['status', 'status'],
    ['Kaynak', 'source'], ['İzin Kaynağı', 'source'], ['source', 'source'],
    ['Tarih', 'consentDate'], ['İzin Tarihi', 'consentDate'], ['izin tarihi', 'consentDate'], ['İZİN TARİHİ', 'consentDate'], ['consentdate', 'consentDate'], ['consent_date', 'consentDate'],
    ['Alıcı Tipi', 'recipientType'], ['ALICI TİPİ', 'recipientType'], ['alici tipi', 'recipientType'], ['recipientType', 'recipientType'],
    ['Ad Soyad', undefined], ['Temsilci', undefined], ['', undefined],
  ] as const)('%s → %s', (name, column) => {
    expect(columnOf(name)).toBe(column);
  });

  it('folds case, accents, Turkish letters and separators', () => {
    expect(fold('  İzin   Kaynağı ')).toBe('izinkaynagi');
    expect(fold('ÇĞİÖŞÜ çğıöşü')).toBe('cgiosucgiosu');
    expect(fold('Consent-Date')).toBe('consentdate');
    expect(fold('Éçole.Naïve')).toBe('ecolenaive');
  });

  it('lists every field once', () => {
    expect(new Set(IMPORT_COLUMNS).size).toBe(6);
  });
});

describe('import values in Turkish', () => {
  it.each([
    ['type', 'SMS', 'MESAJ'], ['type', 'sms', 'MESAJ'], ['type', 'Mesaj', 'MESAJ'], ['type', 'E-posta', 'EPOSTA'], ['type', 'EPOSTA', 'EPOSTA'],
    ['type', 'e-mail', 'EPOSTA'], ['type', 'Arama', 'ARAMA'], ['type', 'ARAMA', 'ARAMA'], ['type', 'Çağrı', 'ARAMA'], ['type', 'Faks', 'Faks'],
    ['status', 'Onay', 'ONAY'], ['status', 'onay', 'ONAY'], ['status', 'Ret', 'RET'], ['status', 'RED', 'RET'], ['status', 'Belki', 'Belki'],
    ['recipientType', 'Bireysel', 'BIREYSEL'], ['recipientType', 'TACİR', 'TACIR'], ['recipientType', 'tacir', 'TACIR'],
    ['source', 'HS_CAGRI_MERKEZI', 'HS_CAGRI_MERKEZI'], ['source', 'hs_cagri_merkezi', 'HS_CAGRI_MERKEZI'], ['source', 'Çağrı Merkezi', 'HS_CAGRI_MERKEZI'],
    ['source', 'Islak İmza', 'HS_ISLAK_IMZA'], ['source', 'E-posta', 'HS_EPOSTA'], ['source', 'Fiziksel Ortam', 'HS_FIZIKSEL_ORTAM'], ['source', 'IYS_WEB', 'IYS_WEB'],
    ['recipient', 'Onay', 'Onay'], ['consentDate', '26.11.2026 10:00', '26.11.2026 10:00'],
  ] as const)('%s %s → %s', (column, cell, value) => {
    expect(valueOf(column, cell)).toBe(value);
  });
});
