import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

// Server-side rendering imports the module where there is no window: it must not throw,
// must not define anything, and may be imported again.
describe('importing the widget without a browser', () => {
  const out = mkdtempSync(join(tmpdir(), 'iys-widget-ssr-'));
  beforeAll(async () => {
    // The bundle that bundlers and SSR frameworks import, built fresh rather than trusting dist/.
    await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
    // It leaves `lit` to the importer: let it find the project's copy, as an app's node_modules would.
    symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'), 'dir');
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('has no window here (the premise of this test)', () => {
    expect(typeof window).toBe('undefined');
  });

  it('imports the source twice without throwing', async () => {
    const first = await import('../../widget/index.ts');
    expect(typeof first.IysConsent).toBe('function');
    vi.resetModules();
    const second = await import('../../widget/index.ts');
    expect(typeof second.IysConsent).toBe('function');
    expect(second.IysConsent.formAssociated).toBe(true);
  });

  it('imports the built lit-external bundle twice without throwing', async () => {
    const built = join(out, 'iys-consent.lit-external.js');
    const mod = (await import(built)) as { IysConsent: { formAssociated?: boolean } };
    expect(typeof mod.IysConsent).toBe('function');
    expect(mod.IysConsent.formAssociated).toBe(true);
    vi.resetModules();
    const again = (await import(built)) as { IysConsent: unknown };
    expect(typeof again.IysConsent).toBe('function');
  });
});
