import { Hono, type MiddlewareHandler } from 'hono';
import { exportQuerySchema } from '../../shared/admin-api.ts';
import { toFieldIssues } from '../../shared/issues.ts';
import type { Logger } from '../log/logger.ts';
import type { ConsentStore, StoredRecordWithEvidence } from '../stores/store.ts';
import { errorResponse } from '../http/errors.ts';
import { csvHeader, csvLine, ndjsonLine, parseExportBound, toReceipt } from './export-format.ts';

/** Bytes gathered before a chunk is handed to the socket: large enough to be cheap, small enough to stay bounded. */
const CHUNK_BYTES = 64 * 1024;
const BOUND_FORMS = 'an ISO 8601 instant with a zone (2026-11-26T13:05:09Z), a date (2026-11-26) or Turkey time (2026-11-26 16:05:09)';

export type ExportRouteOptions = { store: ConsentStore; auth: MiddlewareHandler; now: () => number; logger: Logger };

/**
 * GET /v1/export: the ledger, streamed. The stream pulls one chunk at a time from the store's
 * paged iterator only when the socket has taken the previous one, so a million rows never sit in memory.
 */
export function exportRoutes(opts: ExportRouteOptions): Hono {
  return new Hono().get('/v1/export', opts.auth, (c) => {
    const query = exportQuerySchema.safeParse({ from: c.req.query('from'), to: c.req.query('to'), format: c.req.query('format') });
    if (!query.success) return errorResponse(c, 422, 'invalid-query', 'the export query is wrong', toFieldIssues(query.error));
    const { format } = query.data;
    const from = query.data.from === undefined ? 0 : parseExportBound(query.data.from);
    const to = query.data.to === undefined ? opts.now() + 1 : parseExportBound(query.data.to);
    const issues = [
      ...(from === undefined ? [{ path: 'from', message: `must be ${BOUND_FORMS}` }] : []),
      ...(to === undefined ? [{ path: 'to', message: `must be ${BOUND_FORMS}` }] : []),
    ];
    if (issues.length > 0 || from === undefined || to === undefined) return errorResponse(c, 422, 'invalid-query', 'the export bounds are unreadable', issues);
    if (to < from) return errorResponse(c, 422, 'invalid-query', 'the export range is empty', [{ path: 'to', message: 'must not be before from' }]);

    const lineOf = format === 'csv' ? csvLine : ndjsonLine;
    // Excel reads a CSV as UTF-8 only after a byte-order mark; Turkish letters need it.
    const preamble = format === 'csv' ? `\uFEFF${csvHeader()}` : '';
    const body = receiptStream(opts.store.exportRange(from, to), (r) => lineOf(toReceipt(r)), preamble, opts.logger);

    const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '');
    return new Response(body, {
      status: 200,
      headers: {
        'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'Content-Disposition': `attachment; filename="iys-consent-${stamp(from)}-${stamp(to)}.${format === 'csv' ? 'csv' : 'ndjson'}"`,
        'Cache-Control': 'no-store',
      },
    });
  });
}

/**
 * A byte stream over an async iterable, pulled chunk by chunk (the default queue holds one chunk),
 * so the client's reading paces it. Each pull first yields to the event loop: a socket that takes
 * every chunk at once drains through process.nextTick and the ledger's pages are read synchronously
 * (SQLite), so without it a fast reader kept every consent post waiting until the export ended.
 */
export function receiptStream(
  rows: AsyncIterable<StoredRecordWithEvidence>,
  line: (r: StoredRecordWithEvidence) => string,
  preamble: string,
  logger: Logger,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = rows[Symbol.asyncIterator]();
  let pending = preamble;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setImmediate(resolve));
      try {
        while (pending.length < CHUNK_BYTES) {
          const next = await iterator.next();
          if (next.done) {
            if (pending.length > 0) controller.enqueue(encoder.encode(pending));
            controller.close();
            return;
          }
          pending += line(next.value);
        }
        controller.enqueue(encoder.encode(pending));
        pending = '';
      } catch (e) {
        // The status line is gone already: abort the transfer so the client sees it incomplete, never a silently short file.
        logger.error({ err: (e as Error).message }, 'export failed mid-stream');
        controller.error(e);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
