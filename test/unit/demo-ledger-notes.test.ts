import { describe, expect, it } from 'vitest';
import { explainRefusals, noteOf } from '../../server/demo/ledger-notes.ts';
import { SENDING } from '../../server/dispatch/doubt.ts';
import { UNCHECKED, type StoredRecord } from '../../server/stores/store.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';

const T0 = 1_800_000_000_000;
let n = 0;
function rec(minute: number, over: Partial<StoredRecord>): StoredRecord {
  return {
    id: `r${++n}`, recipient: '+905321234567', recipientType: 'BIREYSEL', type: 'MESAJ', status: 'ONAY', source: 'HS_WEB',
    consentDate: formatTurkeyTime(T0 + minute * 60_000), state: 'registered', deadlineAt: 0, receivedAt: T0 + minute * 60_000,
    attempts: 2, reason: null, registeredAt: null, doubt: null, requeueOf: null, ...UNCHECKED, ...over,
  };
}

describe('noteOf', () => {
  it("turns the record's doubt into words and keeps other answers as they are", () => {
    expect(noteOf(null)).toBe('');
    expect(noteOf(SENDING, 'sending')).toBe('gönderildi, cevap bekleniyor');
    expect(noteOf('İşlem başarılı', 'stored')).toBe('İşlem başarılı');
    expect(noteOf('no answer', 'lost')).toBe("cevap kaybolmuştu (İYS'de olabilir): no answer");
    expect(noteOf('Aylık kota aşıldı')).toBe('Aylık kota aşıldı');
    expect(noteOf('İstekte gönderilen bazı değerler doğrulanamadı', null, 'neden')).toBe('İstekte gönderilen bazı değerler doğrulanamadı — neden');
  });
});

describe('explainRefusals', () => {
  it('explains a rejected ONAY after a registered ONAY of the same key, in consentDate order', () => {
    const dup = rec(5, { state: 'rejected' });
    const first = rec(1, {});
    const why = explainRefusals([dup, first]);
    expect(why.get(dup.id)).toMatch(/ONAY ardından ONAY/);
    expect(why.has(first.id)).toBe(false);
  });

  it('a registered RET in between makes a new ONAY legitimate: no explanation invented', () => {
    const again = rec(9, { state: 'rejected' });
    expect(explainRefusals([rec(1, {}), rec(2, { status: 'RET' }), again]).has(again.id)).toBe(false);
  });

  it('explains RET after RET and a first RET; another channel or recipient is another key', () => {
    const retRet = rec(3, { status: 'RET', state: 'rejected' });
    const firstRet = rec(4, { status: 'RET', state: 'rejected', type: 'ARAMA' });
    const otherPhone = rec(5, { state: 'rejected', recipient: '+905329999999' });
    const why = explainRefusals([rec(1, {}), rec(2, { status: 'RET' }), retRet, firstRet, otherPhone]);
    expect(why.get(retRet.id)).toMatch(/RET ardından RET/);
    expect(why.get(firstRet.id)).toMatch(/ilk kayıt RET olamaz/);
    expect(why.has(otherPhone.id)).toBe(false);
  });

  it('a pending ONAY is no belief: only registered records count', () => {
    const dup = rec(5, { state: 'rejected' });
    expect(explainRefusals([rec(1, { state: 'pending' }), dup]).has(dup.id)).toBe(false);
  });
});
