import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Server-side rendering imports the module where there is no window: it must not throw,
// must not define anything, and may be imported again.
describe('importing the widget without a browser', () => {
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

  const built = resolve(import.meta.dirname, '../../dist/widget/iys-consent.lit-external.js');
  it.runIf(existsSync(built))('imports the built lit-external bundle without throwing', async () => {
    const mod = (await import(built)) as { IysConsent: unknown };
    expect(typeof mod.IysConsent).toBe('function');
  });
});
