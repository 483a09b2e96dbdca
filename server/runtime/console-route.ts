import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Hono, type Context } from 'hono';
import { errorResponse } from '../http/errors.ts';
import { CONSOLE_DIR } from './package-root.ts';

/**
 * The console's policy: only its own files run, nothing inline (no script, no style attribute or
 * element), it talks only to its own origin, and no other page may frame it.
 */
export const CONSOLE_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json',
};

type File = { body: Buffer; type: string; etag: string; cache: string };

/**
 * vite names what it bundles after its content (assets/index-3f9a1c.js): those never change and are
 * kept a year; index.html names the current ones, so it is asked again each time (no-cache: a 304 when unchanged).
 */
function cacheOf(path: string): string {
  return path.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/** Every file of the built console by its path under /admin/, read once and again only after a rebuild. */
function consoleFiles(dir: string): () => Map<string, File> | undefined {
  let loaded: { stamp: number; files: Map<string, File> } | undefined;
  return () => {
    let stamp: number;
    try {
      stamp = statSync(join(dir, 'index.html')).mtimeMs;
    } catch {
      return undefined;
    }
    if (loaded?.stamp !== stamp) {
      const files = new Map<string, File>();
      for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const full = join(entry.parentPath, entry.name);
        const path = full.slice(dir.length + 1).split('\\').join('/');
        const body = readFileSync(full);
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
        files.set(path, { body, etag, type: TYPES[extname(path)] ?? 'application/octet-stream', cache: cacheOf(path) });
      }
      loaded = { stamp, files };
    }
    return loaded.files;
  };
}

/**
 * GET /admin/…: the compliance console (console/, built by vite into dist/console/). Only files the
 * build made are served (a path is looked up, never joined onto the disk), each with the console's
 * CSP and security headers, errors included.
 */
export function consoleRoute(dir = CONSOLE_DIR): Hono {
  const files = consoleFiles(dir);
  const secure = (c: Context) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
  };
  const app = new Hono();
  app.get('/admin', (c) => {
    secure(c);
    return c.redirect('/admin/', 301);
  });
  app.get('/admin/*', (c) => {
    secure(c);
    const all = files();
    if (!all) return errorResponse(c, 404, 'not-found', 'the console is not built: run `npm run build:console`');
    const path = c.req.path.slice('/admin/'.length) || 'index.html';
    const file = all.get(path);
    if (!file) return errorResponse(c, 404, 'not-found', `no ${c.req.path} here`);
    const headers = { ...SECURITY_HEADERS, 'Content-Type': file.type, 'Cache-Control': file.cache, ETag: file.etag };
    if (c.req.header('if-none-match') === file.etag) return new Response(null, { status: 304, headers });
    return new Response(new Uint8Array(file.body), { status: 200, headers });
  });
  return app;
}
