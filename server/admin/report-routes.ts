import { Hono, type MiddlewareHandler } from 'hono';
import type { Report } from '../../shared/console-api.ts';
import { maskRecipient } from '../../shared/recipient.ts';
import { errorResponse } from '../http/errors.ts';
import type { RequestIdEnv } from '../http/request-id.ts';
import type { ConsentStore } from '../stores/store.ts';
import { buildReport } from './audit-report.ts';
import { recordsOfRef } from './recipient-load.ts';
import { reportPdf, type ReportLang } from './report-pdf.ts';

export type ReportRouteOptions = { store: ConsentStore; auth: MiddlewareHandler; now: () => number };

/**
 * The audit report of one recipient (docs/console.md): GET …/report as JSON (the print page shows
 * it), GET …/report.pdf as a PDF with the report's canonical JSON attached. Given `sha256` (the hash
 * the console shows), the PDF is made only if the ledger still gives that report, so the file an
 * auditor gets carries the very hash the operator saw; otherwise 409 report-changed.
 */
export function reportRoutes(opts: ReportRouteOptions): Hono<RequestIdEnv> {
  const { store, auth, now } = opts;
  const app = new Hono<RequestIdEnv>();

  app.get('/v1/admin/recipients/:ref/report', auth, async (c) => {
    const found = await recordsOfRef(store, c.req.param('ref'));
    if (!found) return errorResponse(c, 404, 'not-found', 'no record with this id');
    c.header('Cache-Control', 'no-store');
    return c.json(buildReport(found, now()) satisfies Report);
  });

  app.get('/v1/admin/recipients/:ref/report.pdf', auth, async (c) => {
    const lang = c.req.query('lang') ?? 'tr';
    if (lang !== 'tr' && lang !== 'en') return errorResponse(c, 422, 'invalid-query', 'lang is wrong', [{ path: 'lang', message: 'tr or en' }]);
    const expected = c.req.query('sha256');
    if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) {
      return errorResponse(c, 422, 'invalid-query', 'sha256 is wrong', [{ path: 'sha256', message: '64 lower-case hex digits' }]);
    }
    const found = await recordsOfRef(store, c.req.param('ref'));
    if (!found) return errorResponse(c, 404, 'not-found', 'no record with this id');
    const built = buildReport(found, now());
    if (expected !== undefined && expected !== built.sha256) {
      return errorResponse(c, 409, 'report-changed', `the ledger changed for this recipient since that report: its SHA-256 is now ${built.sha256}; reload the report`);
    }
    const pdf = await reportPdf(built, lang as ReportLang);
    const name = `iys-consent-report-${maskRecipient(found.records[0]!.recipient).replace(/[^\w.@-]/g, '_')}-${built.sha256.slice(0, 12)}.pdf`;
    return new Response(new Uint8Array(pdf), {
      status: 200,
      headers: {
        'Content-Type': 'application/pdf',
        'Content-Disposition': `attachment; filename="${name}"`,
        'Cache-Control': 'no-store',
        'X-Report-Sha256': built.sha256,
      },
    });
  });
  return app;
}
