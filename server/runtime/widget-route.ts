import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { Hono } from 'hono';
import { errorResponse } from '../http/errors.ts';
import { VERIFY_STEP_BUNDLE, WIDGET_BUNDLE } from './package-root.ts';

type Loaded = { body: Buffer; etag: string; mtimeMs: number };

/**
 * GET /iys-consent.js: the widget as one ES module any site may load (`Access-Control-Allow-Origin: *`:
 * module scripts are fetched in CORS mode). Read once and re-read only when the file changes, with an
 * ETag so browsers revalidate cheaply after the short max-age. GET /iys-consent-verify.js, the code
 * step the widget imports only for verify="sms", is served the same way.
 */
export function widgetRoute(bundlePath = WIDGET_BUNDLE, verifyStepPath = VERIFY_STEP_BUNDLE): Hono {
  const routes = new Hono();
  serveFile(routes, '/iys-consent.js', bundlePath);
  serveFile(routes, '/iys-consent-verify.js', verifyStepPath);
  return routes;
}

function serveFile(routes: Hono, path: string, bundlePath: string): void {
  let loaded: Loaded | undefined;
  const load = (): Loaded | undefined => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(bundlePath).mtimeMs;
    } catch {
      return undefined;
    }
    if (loaded?.mtimeMs !== mtimeMs) {
      const body = readFileSync(bundlePath);
      loaded = { body, mtimeMs, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
    }
    return loaded;
  };

  routes.get(path, (c) => {
    const bundle = load();
    if (!bundle) return errorResponse(c, 404, 'not-found', 'the widget bundle is not built: run `npm run build:widget`');
    const headers = {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Access-Control-Allow-Origin': '*',
      'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'X-Content-Type-Options': 'nosniff',
      ETag: bundle.etag,
    };
    if (c.req.header('if-none-match') === bundle.etag) return new Response(null, { status: 304, headers });
    return new Response(new Uint8Array(bundle.body), { status: 200, headers });
  });
}
