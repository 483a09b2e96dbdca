import { Pool, type Dispatcher } from 'undici';
import { consentShowQuerySchema, type ConsentCreateRequest, type ConsentShowQuery, type ConsentShowRequest } from '../../shared/iletimerkezi.ts';
import type { IysRecord } from '../../shared/iys-record.ts';
import { maskRecipient } from '../../shared/recipient.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import { classifyShow } from './classify-show.ts';
import { classify, type Exchange } from './classify.ts';
import type { ConsentReader, ConsentSender, SendOutcome, ShowOutcome } from './outcome.ts';

export const CONSENT_CREATE_PATH = '/v1/consent/create/json';
export const CONSENT_SHOW_PATH = '/v1/consent/show/json';

/** consent/create for the dispatcher and consent/show for read-back, on one pool; close() closes both. */
export type IletiMerkeziClient = ConsentSender & ConsentReader;

export interface IletiMerkeziClientOptions {
  /** e.g. https://api.iletimerkezi.com, or a sandbox mounted under a path: http://127.0.0.1:8787/sandbox */
  baseUrl: string;
  apiKey: string;
  apiHash: string;
  brandCode: string | number;
  /** A keep-alive pool or agent to use instead of the client's own (then connectTimeoutMs is the dispatcher's business). */
  dispatcher?: Dispatcher;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  logger?: Logger;
}

/** Answers longer than this are not iletiMerkezi's small JSON: read no further. */
const MAX_RESPONSE_BYTES = 1 << 20;

/** The keep-alive pool to iletiMerkezi's origin: a few connections, explicit connect/header/body timeouts. */
export function createIletiMerkeziPool(opts: Pick<IletiMerkeziClientOptions, 'baseUrl' | 'connectTimeoutMs' | 'headersTimeoutMs' | 'bodyTimeoutMs'>): Pool {
  return new Pool(new URL(opts.baseUrl).origin, {
    connections: 4,
    pipelining: 1,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    headersTimeout: opts.headersTimeoutMs ?? 30_000,
    bodyTimeout: opts.bodyTimeoutMs ?? 30_000,
    keepAliveTimeout: 10_000,
  });
}

/**
 * The one client of iletiMerkezi. Every send with records ends in a SendOutcome and every show in a
 * ShowOutcome, never a throw: the caller decides what to do with each class. An empty list, or a
 * query that is not a normalised key, is a caller's bug and throws.
 */
export function createIletiMerkeziClient(opts: IletiMerkeziClientOptions): IletiMerkeziClient {
  const base = new URL(opts.baseUrl);
  const origin = base.origin;
  const prefix = base.pathname.replace(/\/+$/, '');
  const headersTimeout = opts.headersTimeoutMs ?? 30_000;
  const bodyTimeout = opts.bodyTimeoutMs ?? 30_000;
  const ownsDispatcher = opts.dispatcher === undefined;
  const dispatcher = opts.dispatcher ?? createIletiMerkeziPool(opts);
  const logger = opts.logger ?? silentLogger;
  // Defence in depth: a service that echoes the request must not leak the credentials through us.
  const secrets = [opts.apiKey, opts.apiHash].filter((s) => s.length >= 4);
  const scrub = (text: string) => secrets.reduce((t, s) => t.split(s).join('[redacted]'), text);
  const authentication = { key: opts.apiKey, hash: opts.apiHash };
  const call = (path: string, body: Buffer) => post(dispatcher, { origin, path: prefix + path, body, headersTimeout, bodyTimeout });

  async function send(records: IysRecord[]): Promise<SendOutcome> {
    if (records.length === 0) throw new RangeError('send() needs at least one record');
    const envelope: ConsentCreateRequest = {
      request: {
        authentication,
        consent: { brandCode: opts.brandCode, list: records },
      },
    };
    const body = Buffer.from(JSON.stringify(envelope), 'utf8');
    const started = Date.now();
    const exchange = await call(CONSENT_CREATE_PATH, body);
    const raw = classify(exchange);
    const outcome = { ...raw, message: scrub(raw.message) } as SendOutcome;
    logger.info(
      { event: 'iletimerkezi.send', records: records.length, bytes: body.length, kind: outcome.kind, code: outcome.code, ms: Date.now() - started },
      `consent/create: ${outcome.kind}${outcome.code !== null ? ` ${outcome.code}` : ''}: ${outcome.message}`,
    );
    return outcome;
  }

  async function show(query: ConsentShowQuery): Promise<ShowOutcome> {
    const parsed = consentShowQuerySchema.safeParse(query);
    if (!parsed.success) {
      throw new RangeError(`show() needs a valid key: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const key = parsed.data;
    const envelope: ConsentShowRequest = { request: { authentication, consent: { brandCode: opts.brandCode, ...key } } };
    const started = Date.now();
    const exchange = await call(CONSENT_SHOW_PATH, Buffer.from(JSON.stringify(envelope), 'utf8'));
    // Scrubbed before reading, so neither the excerpt nor an extra can carry an echoed credential.
    const readable = exchange.kind === 'answered' && exchange.bodyText !== undefined ? { ...exchange, bodyText: scrub(exchange.bodyText) } : exchange;
    const raw = classifyShow(readable, key);
    const outcome = { ...raw, message: scrub(raw.message) } as ShowOutcome;
    const masked = maskRecipient(key.recipient);
    const seen = outcome.kind === 'found' ? `${outcome.consent.status} ${outcome.consent.source} ${outcome.consent.consentDate}: ` : '';
    logger.info(
      { event: 'iletimerkezi.show', recipient: masked, recipientType: key.recipientType, type: key.type, kind: outcome.kind, code: outcome.code, ms: Date.now() - started },
      `consent/show: ${outcome.kind}${outcome.code !== null ? ` ${outcome.code}` : ''}: ${seen}${outcome.message.split(key.recipient).join(masked)}`,
    );
    return outcome;
  }

  return {
    send,
    show,
    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

type PostOptions = { origin: string; path: string; body: Buffer; headersTimeout: number; bodyTimeout: number };

/**
 * One POST through undici's dispatch API. A handler of the classic shape is used on purpose:
 * it is told `onRequestSent` once the body is written to the socket, which is what separates
 * "nothing went out" (transient) from "it went out, no answer came" (ambiguous).
 */
function post(dispatcher: Dispatcher, o: PostOptions): Promise<Exchange> {
  return new Promise((resolve) => {
    let requestSent = false;
    let httpStatus: number | undefined;
    let retryAfter: string | undefined;
    let received = 0;
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (e: Exchange) => {
      if (!settled) {
        settled = true;
        resolve(e);
      }
    };
    let abort: ((err?: Error) => void) | undefined;

    const handler = {
      onConnect(abortFn: (err?: Error) => void) {
        abort = abortFn;
      },
      onRequestSent() {
        requestSent = true;
      },
      onHeaders(statusCode: number, rawHeaders: Buffer[]) {
        if (statusCode < 200) return true; // 1xx: the real answer follows
        httpStatus = statusCode;
        for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
          if (String(rawHeaders[i]).toLowerCase() === 'retry-after') retryAfter = String(rawHeaders[i + 1]);
        }
        return true;
      },
      onData(chunk: Buffer) {
        received += chunk.length;
        if (received > MAX_RESPONSE_BYTES) {
          // The status line is known: classify on it with the body cut short.
          finish({ kind: 'answered', httpStatus: httpStatus ?? 0, bodyText: undefined, retryAfter, nowMs: Date.now() });
          abort?.(new Error('response body too large'));
          return false;
        }
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        finish({
          kind: 'answered',
          httpStatus: httpStatus ?? 0,
          bodyText: Buffer.concat(chunks).toString('utf8'),
          retryAfter,
          nowMs: Date.now(),
        });
      },
      onError(error: Error) {
        finish({ kind: 'failed', error, requestSent, httpStatus });
      },
    };

    try {
      dispatcher.dispatch(
        {
          origin: o.origin,
          path: o.path,
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: o.body,
          headersTimeout: o.headersTimeout,
          bodyTimeout: o.bodyTimeout,
        },
        handler as Dispatcher.DispatchHandler,
      );
    } catch (error) {
      finish({ kind: 'failed', error, requestSent: false });
    }
  });
}
