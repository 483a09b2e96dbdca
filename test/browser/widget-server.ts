/**
 * A stand-in collector for the widget's browser tests: serves the built bundle and the test
 * pages, records every POST /v1/consents and answers like the collector (202 with ids, or the
 * collector's error body for a refusal). Listens on 127.0.0.1 port 0, twice: `origin` for pages
 * and bundle, `otherOrigin` for cross-origin posts (same handler, different origin). Each scenario
 * starts its own, so its origin, and with it the page's localStorage, is new.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

const BUNDLE = join(resolve(import.meta.dirname, '../..'), 'dist/widget/iys-consent.js');
/** The code step of verify="sms", which the bundle imports from beside itself. */
const VERIFY_STEP = join(resolve(import.meta.dirname, '../..'), 'dist/widget/iys-consent-verify.js');

export type ReceivedPost = {
  body: Record<string, unknown> & { idempotencyKey: string; channels: string[]; notice: { version: string; hash?: string; lang: string } };
  contentType: string | undefined;
  origin: string | undefined;
  receivedAt: number;
  /** The ids this post was answered with (empty when it was refused). */
  answeredIds: string[];
};

export type PageOptions = { lang?: string; head?: string; csp?: string };

export type WidgetServer = {
  origin: string;
  otherOrigin: string;
  posts: ReceivedPost[];
  /** Registers a page at /p/<name>; the bundle is already loaded in its head. */
  page(name: string, body: string, options?: PageOptions): string;
  /** Registers a file at /a/<file> (.js or .css), for pages whose CSP forbids inline script. */
  asset(file: string, body: string): void;
  /** Status the next posts get (default 202); each call's list is used up front to back. */
  answerNext(...statuses: number[]): void;
  /** While false, a consent post gets its connection cut, unanswered: the browser sees a network error. */
  reachable: boolean;
  /** Consent posts whose connection was cut. */
  cut: number;
  /** Requests for the code step's file (iys-consent-verify.js). */
  verifyStepLoads: number;
  close(): Promise<void>;
};

/** The collector's error codes for the statuses tests ask for (docs/contract.md). */
const CODES: Record<number, string> = { 403: 'origin-not-allowed', 415: 'unsupported-media-type', 422: 'invalid-consent', 429: 'rate-limited', 503: 'store-unavailable' };

const listen = (server: Server) =>
  new Promise<string>((ok) => server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

export async function startWidgetServer(): Promise<WidgetServer> {
  const pages = new Map<string, { html: string; csp?: string }>();
  const assets = new Map<string, string>();
  const posts: ReceivedPost[] = [];
  const answers: number[] = [];
  let ids = 0;
  const state = { reachable: true, cut: 0, verifyStepLoads: 0 };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('Cache-Control', 'no-store');
    if (url.pathname === '/iys-consent.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Access-Control-Allow-Origin': '*' });
      return res.end(readFileSync(BUNDLE));
    }
    if (url.pathname === '/iys-consent-verify.js') {
      state.verifyStepLoads++;
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Access-Control-Allow-Origin': '*' });
      return res.end(readFileSync(VERIFY_STEP));
    }
    // Asked for by every widget when it renders: this stand-in issues no form tokens, as a collector without IYS_FORM_TOKEN_SECRET.
    if (url.pathname === '/v1/form-token') return res.writeHead(204, { 'Access-Control-Allow-Origin': '*' }).end();
    if (url.pathname === '/v1/consents' && req.method === 'POST') {
      if (!state.reachable) {
        state.cut++;
        return req.socket.destroy();
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const status = answers.shift() ?? 202;
      const answeredIds = status === 202 ? [`c${++ids}`] : [];
      posts.push({
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedPost['body'],
        contentType: req.headers['content-type'],
        origin: req.headers.origin,
        receivedAt: Date.now(),
        answeredIds,
      });
      res.writeHead(status, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
      const body = status === 202 ? { ids: answeredIds, state: 'pending' } : { error: { code: CODES[status] ?? 'internal', message: `answered ${status}` } };
      return res.end(JSON.stringify(body));
    }
    const page = url.pathname.startsWith('/p/') ? pages.get(url.pathname.slice(3)) : undefined;
    if (page) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...(page.csp ? { 'Content-Security-Policy': page.csp } : {}) });
      return res.end(page.html);
    }
    const asset = url.pathname.startsWith('/a/') ? assets.get(url.pathname.slice(3)) : undefined;
    if (asset !== undefined) {
      res.writeHead(200, { 'Content-Type': `${url.pathname.endsWith('.css') ? 'text/css' : 'text/javascript'}; charset=utf-8` });
      return res.end(asset);
    }
    // Asked for by every page: a 404 would be a console error in the CSP scenario.
    if (url.pathname === '/favicon.ico') return res.writeHead(204).end();
    if (url.pathname === '/thanks') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end('<!doctype html><html lang="tr"><title>Teşekkürler</title><main><h1>Teşekkürler</h1></main></html>');
    }
    res.writeHead(404).end();
  };

  const a = createServer((req, res) => void handle(req, res));
  const b = createServer((req, res) => void handle(req, res));
  const [origin, otherOrigin] = await Promise.all([listen(a), listen(b)]);

  return {
    origin,
    otherOrigin,
    posts,
    get reachable() {
      return state.reachable;
    },
    set reachable(on: boolean) {
      state.reachable = on;
    },
    get cut() {
      return state.cut;
    },
    get verifyStepLoads() {
      return state.verifyStepLoads;
    },
    page(name, body, { lang = 'tr', head = '', csp } = {}) {
      const html = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Test ${name}</title>
<script type="module" src="/iys-consent.js"></script>${head}</head><body><main><h1>${name}</h1>${body}</main></body></html>`;
      pages.set(name, { html, csp });
      return `${origin}/p/${name}`;
    },
    asset(file, body) {
      assets.set(file, body);
    },
    answerNext(...statuses) {
      answers.push(...statuses);
    },
    close: async () => {
      for (const s of [a, b]) s.closeAllConnections();
      await Promise.all([a, b].map((s) => new Promise((ok) => s.close(ok))));
    },
  };
}
