import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleRoute } from '../../server/runtime/console-route.ts';

const root = mkdtempSync(join(tmpdir(), 'iys-console-files-'));
const dir = join(root, 'console');
mkdirSync(join(dir, 'assets'), { recursive: true });
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
writeFileSync(join(dir, 'assets/index-abc123.js'), 'export {};');
writeFileSync(join(dir, 'assets/index-abc123.css'), 'body{}');
writeFileSync(join(root, 'secret.txt'), 'not for the web');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const app = consoleRoute(dir);
const secure = (res: Response) => {
  expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
};

describe('GET /admin/…', () => {
  it('serves index.html at /admin/ under the strict CSP, asked again each time', async () => {
    const res = await app.request('/admin/');
    expect(res.status).toBe(200);
    secure(res);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    const again = await app.request('/admin/', { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('keeps the hashed assets a year, types them, and redirects /admin to /admin/', async () => {
    const js = await app.request('/admin/assets/index-abc123.js');
    secure(js);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await app.request('/admin/assets/index-abc123.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const redirect = await app.request('/admin');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/admin/');
  });

  it('serves nothing the build did not make, with the CSP on the 404 too', async () => {
    for (const path of ['/admin/nope.js', '/admin/../secret.txt', '/admin/%2e%2e/secret.txt', '/admin/assets/../../secret.txt']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('not for the web');
    }
    secure(await app.request('/admin/nope.js'));
    const unbuilt = await consoleRoute(join(dir, 'missing')).request('/admin/');
    expect(unbuilt.status).toBe(404);
    expect(await unbuilt.text()).toContain('npm run build:console');
  });
});
