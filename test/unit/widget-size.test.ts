import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPILE_HINT, REWRITES, VERIFY_STEP_FILE, squeeze } from '../../vite.config.ts';

// The budget: the self-contained bundle, Lit included, at most 8 KB gzip.
const BUDGET = 8 * 1024;
const root = resolve(import.meta.dirname, '../..');
const out = mkdtempSync(join(tmpdir(), 'iys-widget-build-'));

describe('widget build', () => {
  beforeAll(async () => {
    await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it(`keeps the self-contained bundle within ${BUDGET} bytes gzip`, () => {
    const code = readFileSync(join(out, 'iys-consent.js'));
    const gz9 = gzipSync(code, { level: 9 }).length;
    const gz6 = gzipSync(code).length;
    console.log(`iys-consent.js: ${code.length} bytes, ${gz9} bytes gzip -9, ${gz6} bytes gzip -6 (budget ${BUDGET})`);
    expect(gz6).toBeLessThanOrEqual(BUDGET);
    expect(gz9).toBeLessThanOrEqual(BUDGET);
  });

  it("prepares every template at build time: the bundle renders prepared templates only, and has no runtime HTML scanner left", () => {
    const code = readFileSync(join(out, 'iys-consent.js'), 'utf8');
    const results = code.match(/_\$litType\$:\w+,\w+:/g) ?? [];
    expect(results).toHaveLength(4); // the fieldset, the own recipient input, a channel, the own button
    expect(results.every((r) => r.endsWith(',values:'))).toBe(true); // `html` would make {_$litType$:1,strings:…}
    expect(code).not.toContain('/-->/'); // the comment-end pattern of lit-html's template scanner
  });

  it('opens the self-contained bundle with the compile hint, so Chromium compiles it while it streams in', () => {
    expect(readFileSync(join(out, 'iys-consent.js'), 'utf8').startsWith(COMPILE_HINT)).toBe(true);
  });

  it('makes the self-contained bundle one file whose only import is the code step of verify="sms", fetched when a consent awaits its code', () => {
    const code = readFileSync(join(out, 'iys-consent.js'), 'utf8');
    const withoutStep = code.replace(`import(new URL(\`${VERIFY_STEP_FILE}\`,import.meta.url).href)`, '');
    expect(withoutStep).not.toBe(code);
    expect(withoutStep).not.toMatch(/\bimport\s*[{("'`*]|\bimport\(/);
    expect(code).toContain('customElements.define');
  });

  it('builds the code step as a small file of its own, with no import and no Lit', () => {
    const step = readFileSync(join(out, VERIFY_STEP_FILE), 'utf8');
    console.log(`${VERIFY_STEP_FILE}: ${step.length} bytes, ${gzipSync(step, { level: 9 }).length} bytes gzip -9`);
    expect(step).not.toMatch(/\bimport\s*[{("'`*]|\bimport\(/);
    expect(step).not.toContain('lit');
    expect(step).toContain('one-time-code');
    expect(gzipSync(step, { level: 9 }).length).toBeLessThanOrEqual(2048);
  });

  it('leaves lit external in the bundler build and ships the typings', () => {
    const code = readFileSync(join(out, 'iys-consent.lit-external.js'), 'utf8');
    expect(code).toMatch(/from\s*["']lit["']/);
    expect(code).not.toContain('class ReactiveElement');
    const types = readFileSync(join(out, 'iys-consent.d.ts'), 'utf8');
    expect(types).toContain("'iys-consent': IysConsentElement");
  });
});

describe('the build-only rewrites the budget depends on', () => {
  // The same bundle with one rewrite changed: the build must stop, not quietly grow.
  const buildWith = (rewrites: Parameters<typeof squeeze>[0]) =>
    build({
      root,
      configFile: false,
      logLevel: 'silent',
      mode: 'production',
      resolve: { conditions: ['module', 'browser', 'production'] },
      plugins: [squeeze(rewrites)],
      build: { write: false, lib: { entry: join(root, 'widget/index.ts'), formats: ['es'], fileName: () => 'x.js' } },
    });

  it('throws when a rewrite makes fewer replacements than expected (say, Lit reworded its errors)', async () => {
    const litHtml = REWRITES.find((r) => r.module.endsWith('/lit-html.js'))!;
    const reworded = { ...litHtml, pattern: /Error\(`[^`]*`\)/g };
    await expect(buildWith([reworded])).rejects.toThrow(/made 0 of its 1 replacements in \/node_modules\/lit-html\/lit-html\.js/);
  });

  it('throws when the module a rewrite is for is not in the build any more (say, Lit moved a file)', async () => {
    const moved = { ...REWRITES[1]!, module: '/node_modules/@lit/reactive-element/css-tag-moved.js' };
    await expect(buildWith([moved])).rejects.toThrow(/no module .*css-tag-moved\.js in the build/);
  });
});
