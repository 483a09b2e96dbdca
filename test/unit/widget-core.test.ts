import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Channel } from '../../shared/enums.ts';
import type { CHANNELS } from '../../shared/vocabulary.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { sha256 } from '../../widget/notice.ts';
import { pickLang, TEXTS, type Lang } from '../../widget/texts.ts';
import type { Channel as PublicChannel, Lang as PublicLang } from '../../widget/types.d.ts';
import { turkeyTime } from '../../widget/turkey-now.ts';
import { squeeze } from '../../vite.config.ts';
import { EMAIL_CASES, PHONE_CASES } from '../fixtures/recipient-cases.ts';

const root = resolve(import.meta.dirname, '../..');

describe('the recipient normaliser as built into the widget', async () => {
  // The bundle takes shared/recipient.ts through the build's squeeze (English messages dropped):
  // run exactly that code against the table both normalisers share.
  const source = readFileSync(join(root, 'shared/recipient.ts'), 'utf8');
  const hook = squeeze().transform as (code: string, id: string) => string;
  const squeezed = hook(source, join(root, 'shared/recipient.ts'));
  const dir = mkdtempSync(join(tmpdir(), 'iys-widget-recipient-'));
  writeFileSync(join(dir, 'recipient.ts'), squeezed);
  const { normaliseRecipient } = (await import(join(dir, 'recipient.ts'))) as typeof import('../../shared/recipient.ts');
  rmSync(dir, { recursive: true, force: true });

  it('drops the messages and nothing else', () => {
    expect(squeezed).not.toMatch(/message: ['"`]/);
    expect(squeezed).toContain("code: 'phone-range'");
  });

  it.each([...PHONE_CASES, ...EMAIL_CASES])('$input → $expected', ({ input, expected, mobile, code }) => {
    const r = normaliseRecipient(input);
    if (expected === null) {
      expect(r.ok).toBe(false);
      if (!r.ok && code) expect(r.code).toBe(code);
    } else {
      expect(r.ok && r.value).toBe(expected);
      if (mobile !== undefined) expect(r.ok && r.kind === 'phone' && r.mobile).toBe(mobile);
    }
  });
});

describe('the widget clock', () => {
  it('agrees with formatTurkeyTime for instants since Turkey kept UTC+3 all year', () => {
    const from = Date.UTC(2016, 8, 7);
    const to = Date.UTC(2040, 0, 1);
    for (let i = 0; i <= 5000; i++) {
      const ms = from + Math.floor(((to - from) * i) / 5000) + (i % 1000);
      expect(turkeyTime(ms)).toBe(formatTurkeyTime(ms));
    }
  });

  it('stamps midnight rollover in Turkey, not UTC', () => {
    expect(turkeyTime(Date.UTC(2026, 11, 31, 21, 0, 5))).toBe('2027-01-01 00:00:05');
  });
});

describe('the notice', () => {
  it('hashes the shown text as sha256: plus 64 hex digits', async () => {
    expect(await sha256('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('names the brand and the channel in both languages', () => {
    expect(TEXTS.tr.consent('Örnek Mağaza', TEXTS.tr.channel.MESAJ)).toContain('Örnek Mağaza');
    expect(TEXTS.tr.consent('X', TEXTS.tr.channel.MESAJ)).toContain('SMS');
    expect(TEXTS.en.withdraw('X', TEXTS.en.channel.EPOSTA)).toMatch(/withdraw.*X.*e-mail/);
  });

  it.each([
    ['en', 'en'],
    ['en-GB', 'en'],
    ['tr', 'tr'],
    ['de', 'tr'],
    [undefined, 'tr'],
  ] as const)('language tag %s → %s', (tag, lang) => {
    expect(pickLang(tag)).toBe(lang);
  });
});

describe('the types the standalone widget/types.d.ts spells out again', () => {
  // types.d.ts is copied to dist/widget as it is, where shared/ does not exist, so it cannot import.
  it('equal the ones defined once in shared/ and the widget, and the list the widget renders (checked by tsc)', () => {
    expectTypeOf<PublicChannel>().toEqualTypeOf<Channel>();
    expectTypeOf<PublicChannel>().toEqualTypeOf<(typeof CHANNELS)[number]>();
    expectTypeOf<PublicLang>().toEqualTypeOf<Lang>();
  });
});
