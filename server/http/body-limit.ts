import type { Context, MiddlewareHandler } from 'hono';
import { errorResponse } from './errors.ts';

export type BodyRead = { ok: true; text: string } | { ok: false; reason: 'too-large' | 'not-utf8' | 'aborted' };

/**
 * Reads a request body as UTF-8 text, giving up as soon as it passes `maxBytes`: a declared
 * Content-Length over the limit is refused before reading a byte, and a chunked (or lying) body
 * is counted while it streams, so an oversized post never sits in memory whole.
 */
export async function readBodyText(req: Request, maxBytes: number): Promise<BodyRead> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) return { ok: false, reason: 'too-large' };
  if (req.body === null) return { ok: true, text: '' };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        // The rest is left unread; the HTTP server drains or drops it after the answer.
        reader.cancel().catch(() => {});
        return { ok: false, reason: 'too-large' };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: 'aborted' };
  }
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, reason: 'not-utf8' };
  }
}

/** Why a body was refused, and the limit it was held to. */
export type BodyRefusal = { reason: 'too-large' | 'not-utf8' | 'aborted'; maxBytes: number };

export type BodyLimitOptions = {
  maxBytes: number;
  /** How a refusal looks; `bodyRefused` (the default) answers in the collector's error shape. */
  onError?: (c: Context, refusal: BodyRefusal) => Response | Promise<Response>;
};

export type BodyTextEnv = { Variables: { bodyText: string } };

/** The default refusal: 413 naming the limit, 400 for a body that is not UTF-8 or broke off. */
export function bodyRefused(c: Context, refusal: BodyRefusal): Response {
  if (refusal.reason === 'too-large') return errorResponse(c, 413, 'body-too-large', `the body is over ${refusal.maxBytes} bytes`);
  const message = refusal.reason === 'not-utf8' ? 'the body is not UTF-8 text' : 'the body could not be read to its end';
  return errorResponse(c, 400, 'body-unreadable', message);
}

/**
 * The body, read as UTF-8 text within `maxBytes` (readBodyText), into `c.var.bodyText`; a body
 * over the limit or unreadable goes to `onError` instead, the way Hono's own body-limit does it.
 */
export function bodyLimit(opts: BodyLimitOptions): MiddlewareHandler<BodyTextEnv> {
  const onError = opts.onError ?? bodyRefused;
  return async (c, next) => {
    const read = await readBodyText(c.req.raw, opts.maxBytes);
    if (!read.ok) {
      // The unread rest of the body would otherwise be taken for the next request on this
      // connection (or stall it): answer, then close.
      c.header('Connection', 'close');
      return onError(c, { reason: read.reason, maxBytes: opts.maxBytes });
    }
    c.set('bodyText', read.text);
    return next();
  };
}
