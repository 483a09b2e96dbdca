import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { judgeNotice, noticeHash } from '../../server/intake/notice-registry.ts';
import type { RegisteredNotice } from '../../server/stores/proof-store.ts';
import { noticeText } from '../../shared/notice-text.ts';

const registered = (version: string, lang: string, text: string): RegisteredNotice => ({ version, lang, text, hash: noticeHash(text), registeredAt: 0 });

describe('noticeHash: what the widget posts for a text', () => {
  it('is SHA-256 of the UTF-8 text with every whitespace run one space and none at the ends', () => {
    const shown = 'Örnek Mağaza tarafından SMS yoluyla ileti gönderilmesine onay veriyorum.';
    const expected = 'sha256:' + createHash('sha256').update(Buffer.from(shown, 'utf8')).digest('hex');
    expect(noticeHash(shown)).toBe(expected);
    expect(noticeHash(`  Örnek Mağaza\ttarafından\n  SMS yoluyla\r\n ileti gönderilmesine\u00a0onay veriyorum. \n`)).toBe(expected);
    expect(noticeText(' a \n\t b ')).toBe('a b');
  });
});

describe('judgeNotice: the posted notice against the registered texts that hash like it', () => {
  const v1tr = registered('v1', 'tr', 'bir metin');
  const v1en = registered('v1', 'en', 'bir metin');
  const v2tr = registered('v2', 'tr', 'bir metin');
  const posted = (version: string | null, hash: string | null, lang: string | null = 'tr') => ({ noticeVersion: version, noticeHash: hash, noticeLang: lang });

  it.each([
    ['the posted version and language', posted('v1', v1tr.hash), [v2tr, v1en, v1tr], 'v1'],
    ['the posted version in another language', posted('v1', v1tr.hash, 'en'), [v2tr, v1en], 'v1'],
    ['another version holding the same words', posted('v9', v1tr.hash), [v2tr, v1tr], 'v2'],
  ] as const)('matched: %s', (_, p, candidates, version) => {
    expect(judgeNotice(p, candidates)).toEqual({ noticeMatch: 'matched', noticeRegistered: version });
  });

  it('unmatched: no registered text hashes like it, or no hash was posted; the issue names notice.hash and the version', () => {
    const none = judgeNotice(posted('v1', 'sha256:' + '0'.repeat(64)), []);
    expect(none).toMatchObject({ noticeMatch: 'unmatched', noticeRegistered: null, issue: { path: 'notice.hash' } });
    expect(none.issue!.message).toContain('"v1" (tr)');
    expect(judgeNotice(posted('v1', null), [])).toMatchObject({ noticeMatch: 'unmatched', issue: { path: 'notice.hash', message: expect.stringContaining('missing') } });
  });

  it('no-notice: a consent that posted none; the issue names notice', () => {
    expect(judgeNotice(posted(null, null, null), [])).toMatchObject({ noticeMatch: 'no-notice', noticeRegistered: null, issue: { path: 'notice' } });
  });
});
