import { describe, expect, it } from 'vitest';
import { fromExcelDate, isScientificNotation, parseImportCsv } from '../../server/cli/import-csv.ts';
import { validateBatch } from '../../server/intake/batch-validate.ts';
import { intakeHeadroomMs } from '../../shared/sendability.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';

const NOW = Date.UTC(2026, 10, 26, 13, 0, 0);
const AN_HOUR_AGO = formatTurkeyTime(NOW - 3600_000);
const ctx = { nowMs: NOW, headroomMs: intakeHeadroomMs(1000) };

describe('parseImportCsv', () => {
  it('reads a file with a header, in any column order, with defaults for empty cells', () => {
    const text = `consentDate,recipient,type,source,status,recipientType\n${AN_HOUR_AGO},0532 123 45 67,MESAJ,HS_CAGRI_MERKEZI,,\n${AN_HOUR_AGO},Ali@Example.com,EPOSTA,HS_ISLAK_IMZA,RET,TACIR\n`;
    const r = parseImportCsv(text, ctx);
    expect(r).toMatchObject({ ok: true, header: true, delimiter: ',' });
    if (!r.ok) return;
    expect(r.records.map((x) => x.record)).toEqual([
      { recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'MESAJ', status: 'ONAY', source: 'HS_CAGRI_MERKEZI', consentDate: AN_HOUR_AGO },
      { recipient: 'ali@example.com', recipientType: 'TACIR', type: 'EPOSTA', status: 'RET', source: 'HS_ISLAK_IMZA', consentDate: AN_HOUR_AGO },
    ]);
    expect(r.records[0]!.evidence).toMatchObject({ rawRecipient: '0532 123 45 67', receivedAt: NOW, userAgent: 'iys-consent import' });
  });

  it('reads a header-less, semicolon-separated file with a BOM and CRLF, as Excel saves it in Turkey', () => {
    const text = `\uFEFF0532 123 45 67;ARAMA;ONAY;HS_FIZIKSEL_ORTAM;${AN_HOUR_AGO};BIREYSEL\r\n5321234568;MESAJ;ONAY;HS_ETKINLIK;${AN_HOUR_AGO}\r\n`;
    const r = parseImportCsv(text, ctx);
    expect(r).toMatchObject({ ok: true, header: false, delimiter: ';' });
    if (r.ok) expect(r.records.map((x) => x.record.recipient)).toEqual(['+905321234567', '+905321234568']);
  });

  it('names every bad line with its number and reason, and returns no records', () => {
    const text = [
      'recipient,type,status,source,consentDate,recipientType',
      `05321234567,MESAJ,ONAY,HS_WEB,${AN_HOUR_AGO},BIREYSEL`,
      `not-a-phone,MESAJ,ONAY,HS_WEB,${AN_HOUR_AGO},BIREYSEL`,
      '',
      `05321234567,MESAJ,ONAY,HS_WEB,2026-11-20 10:00:00,BIREYSEL`,
      `ali@example.com,MESAJ,ONAY,IYS_WEB,${AN_HOUR_AGO},BIREYSEL`,
      `05321234567,MESAJ,ONAY,HS_WEB,${AN_HOUR_AGO},BIREYSEL,extra`,
    ].join('\n');
    const r = parseImportCsv(text, ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bad.map((b) => b.line)).toEqual([3, 5, 6, 7]);
    expect(r.bad[0]!.reason).toMatch(/^recipient: /);
    expect(r.bad[1]!.reason).toMatch(/consentDate: .*72 hours/);
    expect(r.bad[2]!.reason).toMatch(/^source: /);
    expect(r.bad[3]!.reason).toMatch(/7 fields, expected at most 6/);
  });

  it('refuses an empty file, and a header naming one column twice or missing a required one', () => {
    expect(parseImportCsv('\uFEFF\r\n', ctx)).toEqual({ ok: false, bad: [{ line: 1, reason: 'the file holds no records' }] });
    expect(parseImportCsv(`Telefon;Cep;Kanal;Kaynak;Tarih\n0532 123 45 67;;MESAJ;HS_WEB;${AN_HOUR_AGO}\n`, ctx))
      .toEqual({ ok: false, bad: [{ line: 1, reason: 'the columns "Telefon" and "Cep" both hold the recipient: keep one of them' }] });
    const missing = parseImportCsv(`Telefon;Kanal;Durum\n0532 123 45 67;MESAJ;ONAY\n`, ctx);
    expect(missing).toEqual({ ok: false, bad: [{ line: 1, reason: expect.stringMatching(/^the header has no column for Kaynak or source, Tarih or consentDate \(the columns are /) }] });
  });

  it('says so when the first row is neither a header nor a record', () => {
    const r = parseImportCsv(`Müşteri Listesi;;;;\n0532 123 45 67;MESAJ;ONAY;HS_WEB;${AN_HOUR_AGO}\n`, ctx);
    expect(r).toEqual({ ok: false, bad: [{ line: 1, reason: expect.stringMatching(/^neither a header nor a record: .*"Müşteri Listesi" is not a phone number or an e-mail address\. Name the columns in a first row, e\.g\. Telefon;Kanal;Durum;Kaynak;Tarih/) }] });
    // A first cell that is a recipient, even a bad one, makes a data row, checked as usual.
    expect(parseImportCsv(`0532 123;MESAJ;ONAY;HS_WEB;${AN_HOUR_AGO}\n`, ctx)).toMatchObject({ ok: false, bad: [{ line: 1, reason: expect.stringMatching(/^recipient: /) }] });
  });
});

describe('call-centre exports: Turkish headers and values', () => {
  const row = (recipient: string, type: string) => ({ recipient, recipientType: 'BIREYSEL', type, status: 'ONAY', source: 'HS_CAGRI_MERKEZI', consentDate: AN_HOUR_AGO });

  it.each([
    ['Telefon;Kanal;Durum;Kaynak;Tarih', `0532 123 45 67;SMS;Onay;Çağrı Merkezi;${AN_HOUR_AGO}`],
    ['CEP TELEFONU;KANAL;DURUM;KAYNAK;İZİN TARİHİ', `0532 123 45 67;sms;ONAY;HS_CAGRI_MERKEZI;${AN_HOUR_AGO}`],
    ['cep;kanal;durum;kaynak;izin tarihi', `0532 123 45 67;Mesaj;onay;hs_cagri_merkezi;${AN_HOUR_AGO}`],
    ['Cep Telefonu;İzin Türü;İzin Durumu;İzin Kaynağı;Onay Tarihi;Alıcı Tipi', `0532 123 45 67;SMS;Onay;cagri merkezi;${AN_HOUR_AGO};Bireysel`],
    ['CEP_TELEFONU;izin turu;IZIN DURUMU;izin kaynagi;onay_tarihi;ALICI TIPI', `0532 123 45 67;SMS;Onay;Cagri Merkezi;${AN_HOUR_AGO};bireysel`],
    ['recipient,type,status,source,consentDate,recipientType', `0532 123 45 67,MESAJ,ONAY,HS_CAGRI_MERKEZI,${AN_HOUR_AGO},BIREYSEL`],
    ['RecipientType;ConsentDate;Source;Status;Type;Recipient', `BIREYSEL;${AN_HOUR_AGO};HS_CAGRI_MERKEZI;ONAY;MESAJ;0532 123 45 67`],
  ])('reads %s', (header, line) => {
    const r = parseImportCsv(`${header}\n${line}\n`, ctx);
    expect(r).toMatchObject({ ok: true, header: true, ignored: [] });
    if (r.ok) expect(r.records.map((x) => x.record)).toEqual([row('+905321234567', 'MESAJ')]);
  });

  it('maps the Turkish words of each column, in any case', () => {
    const text = [
      'E-posta;Kanal;Durum;Kaynak;Tarih;Alıcı Tipi',
      `ayse@example.com;E-posta;Onay;Islak İmza;${AN_HOUR_AGO};Tacir`,
      `ayse@example.com;e-mail;RET;ıslak imza;${formatTurkeyTime(NOW - 1800_000)};TACİR`,
    ].join('\n');
    const r = parseImportCsv(text, ctx);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.records.map((x) => [x.record.type, x.record.status, x.record.source, x.record.recipientType])).toEqual([
      ['EPOSTA', 'ONAY', 'HS_ISLAK_IMZA', 'TACIR'],
      ['EPOSTA', 'RET', 'HS_ISLAK_IMZA', 'TACIR'],
    ]);
    const call = parseImportCsv(`Telefon;Kanal;Durum;Kaynak;Tarih\n0532 123 45 67;Arama;Red;Etkinlik;${AN_HOUR_AGO}\n`, ctx);
    expect(call.ok && call.records[0]!.record).toMatchObject({ type: 'ARAMA', status: 'RET', source: 'HS_ETKINLIK' });
  });

  it('ignores columns it does not know, and names them', () => {
    const r = parseImportCsv(`\uFEFFAd Soyad;Telefon;Kanal;Durum;Kaynak;Tarih;Temsilci\r\nAyşe Yılmaz;0532 123 45 67;SMS;Onay;Çağrı Merkezi;${AN_HOUR_AGO};Mehmet\r\n`, ctx);
    expect(r).toMatchObject({ ok: true, header: true, delimiter: ';', ignored: ['Ad Soyad', 'Temsilci'] });
    if (r.ok) expect(r.records.map((x) => x.record)).toEqual([row('+905321234567', 'MESAJ')]);
  });

  it('leaves a word it does not know for the usual check to name', () => {
    const r = parseImportCsv(`Telefon;Kanal;Durum;Kaynak;Tarih\n0532 123 45 67;Faks;Belki;Kapı;${AN_HOUR_AGO}\n`, ctx);
    expect(r).toMatchObject({ ok: false, bad: [{ line: 2, reason: expect.stringMatching(/^type: .*; status: .*; source: /) }] });
  });
});

describe('cells as Excel set to Turkish writes them', () => {
  it('reads DD.MM.YYYY HH:MM[:SS] dates as Turkey time, seconds 00 when absent', () => {
    expect(fromExcelDate('26.11.2026 13:05')).toBe('2026-11-26 13:05:00');
    expect(fromExcelDate('6.1.2026 9:05:07')).toBe('2026-01-06 09:05:07');
    expect(fromExcelDate('2026-11-26 13:05:00')).toBe('2026-11-26 13:05:00');
    expect(fromExcelDate('26/11/2026 13:05')).toBe('26/11/2026 13:05');
  });

  it('imports a Turkish Excel date, and a nonsense one is still refused on consentDate', () => {
    const excel = formatTurkeyTime(NOW - 3600_000).replace(/^(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2}):\d{2}$/, '$3.$2.$1 $4');
    const r = parseImportCsv(`0532 123 45 67;MESAJ;ONAY;HS_ETKINLIK;${excel}\n0532 123 45 68;MESAJ;ONAY;HS_ETKINLIK;31.02.2026 10:00\n`, ctx);
    expect(r).toMatchObject({ ok: false, bad: [{ line: 2, reason: expect.stringMatching(/^consentDate: /) }] });
    const good = parseImportCsv(`0532 123 45 67;MESAJ;ONAY;HS_ETKINLIK;${excel}\n`, ctx);
    expect(good.ok && good.records[0]!.record.consentDate).toBe(`${formatTurkeyTime(NOW - 3600_000).slice(0, 16)}:00`);
  });

  it('says when Excel turned a phone number into scientific notation', () => {
    for (const cell of ['9,05E+11', '9.05321E+11', '9,05321e+11', '5E11']) expect(isScientificNotation(cell)).toBe(true);
    for (const cell of ['905321234567', '0532 123 45 67', 'e@example.com', '+905321234567']) expect(isScientificNotation(cell)).toBe(false);
    const r = parseImportCsv(`9,05321E+11;MESAJ;ONAY;HS_ETKINLIK;${AN_HOUR_AGO}\n"9.05321E+11";ARAMA;ONAY;HS_ETKINLIK;${AN_HOUR_AGO}\n`, ctx);
    expect(r).toEqual({ ok: false, bad: [1, 2].map((line) => ({ line, reason: expect.stringContaining('Excel turned this number into scientific notation') })) });
    if (!r.ok) expect(r.bad[0]!.reason).toMatch(/^recipient: .*format the column as text/);
  });
});

describe('validateBatch', () => {
  const good = { recipient: '0532 123 45 67', type: 'MESAJ', source: 'HS_CAGRI_MERKEZI', consentDate: AN_HOUR_AGO };

  it('applies the İYS rules judged at now and the cross-field rules', () => {
    const r = validateBatch(
      [good, { ...good, status: 'RET', source: 'HS_KARAR' }, { ...good, source: 'HS_KARAR' }, { ...good, type: 'EPOSTA' }, { ...good, consentDate: formatTurkeyTime(NOW + 3600_000) }, 'text', { ...good, extra: 1 }],
      ctx,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.bad.map((b) => [b.index, b.issues.map((i) => i.path)])).toEqual([
      [2, ['source']],
      [3, ['type']],
      [4, ['consentDate']],
      [5, ['(body)']],
      [6, ['(body)']],
    ]);
  });

  it('keeps the request facts as evidence', () => {
    const r = validateBatch([good], { ...ctx, ip: '203.0.113.9', userAgent: 'crm/2' });
    expect(r).toMatchObject({ ok: true, records: [{ evidence: { ip: '203.0.113.9', userAgent: 'crm/2', channels: 'MESAJ', clientConsentDate: AN_HOUR_AGO } }] });
  });
});
