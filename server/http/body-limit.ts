import type { IncomingMessage } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import type { Context, MiddlewareHandler } from 'hono';
import { errorResponse } from './errors.ts';

export type BodyRead = { ok: true; text: string } | { ok: false; reason: 'too-large' | 'not-utf8' | 'aborted' };

const tooLargeByHeader = (declared: string | null | undefined, maxBytes: number) => declared != null && Number(declared) > maxBytes;

function decodeUtf8(chunks: Uint8Array[], total: number): BodyRead {
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, reason: 'not-utf8' };
  }
}

/**
 * Reads a request body as UTF-8 text, giving up as soon as it passes `maxBytes`: a declared
 * Content-Length over the limit is refused before reading a byte, and a chunked (or lying) body
 * is counted while it streams, so an oversized post never sits in memory whole.
 */
export async function readBodyText(req: Request, maxBytes: number): Promise<BodyRead> {
  if (tooLargeByHeader(req.headers.get('content-length'), maxBytes)) return { ok: false, reason: 'too-large' };
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
  return decodeUtf8(chunks, total);
}

/**
 * readBodyText's rules, read straight from Node's request stream. Behind @hono/node-server a
 * Request's body is a web stream made from that Node stream on first use, with a whole Request
 * object around it: reading the Node stream itself skips both, the largest cost of a consent post
 * in the HTTP layer (docs/performance.md). Over the limit it stops reading and leaves the socket
 * open, so the refusal can still be answered.
 */
export function readIncomingText(incoming: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  if (tooLargeByHeader(incoming.headers['content-length'], maxBytes)) return Promise.resolve({ ok: false, reason: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const settle = (read: BodyRead) => {
      incoming.off('data', onData).off('end', onEnd).off('close', onClose);
      resolve(read);
    };
    function onData(chunk: Buffer) {
      total += chunk.length;
      if (total > maxBytes) {
        incoming.pause();
        settle({ ok: false, reason: 'too-large' });
      } else {
        chunks.push(chunk);
      }
    }
    function onEnd() {
      settle(decodeUtf8(chunks, total));
    }
    function onClose() {
      settle({ ok: false, reason: 'aborted' });
    }
    incoming.on('data', onData).once('end', onEnd).once('close', onClose);
  });
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
 * The body, read as UTF-8 text within `maxBytes` (from Node's request stream when served by
 * @hono/node-server, else from the Request), into `c.var.bodyText`; a body
 * over the limit or unreadable goes to `onError` instead, the way Hono's own body-limit does it.
 */
export function bodyLimit(opts: BodyLimitOptions): MiddlewareHandler<BodyTextEnv> {
  const onError = opts.onError ?? bodyRefused;
  return async (c, next) => {
    const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
    const read = incoming ? await readIncomingText(incoming, opts.maxBytes) : await readBodyText(c.req.raw, opts.maxBytes);
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
