import type { MiddlewareHandler } from 'hono';
import { errorResponse } from './errors.ts';

/** A consent is under 2 KB; 16 KB leaves room for long page URLs and notice texts, and no more. */
export const CONSENT_BODY_LIMIT = 16 * 1024;

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

export type BodyTextEnv = { Variables: { bodyText: string } };

/** Middleware form of readBodyText: 413 over the limit, 400 for a broken body, else `c.var.bodyText`. */
export function bodyText(maxBytes: number = CONSENT_BODY_LIMIT): MiddlewareHandler<BodyTextEnv> {
  return async (c, next) => {
    const read = await readBodyText(c.req.raw, maxBytes);
    if (!read.ok) {
      // The unread rest of the body would otherwise be taken for the next request on this
      // connection (or stall it): answer, then close.
      c.header('Connection', 'close');
      if (read.reason === 'too-large') return errorResponse(c, 413, 'body-too-large', `the body is over ${maxBytes} bytes; a consent is well under 2 KB`);
      const message = read.reason === 'not-utf8' ? 'the body is not UTF-8 text' : 'the body could not be read to its end';
      return errorResponse(c, 400, 'body-unreadable', message);
    }
    c.set('bodyText', read.text);
    return next();
  };
}
