import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { formulaPieces } from '../helpers/spreadsheet-pieces.ts';
import { startOperator, type OperatorServer } from './operator-harness.ts';

const USER_AGENT = 'Mozilla/5.0 (X11;=1+1;) x';
const RECIPIENT = 'a;=1+1;b@ex.com';
const NOTICE = "v1;=cmd|' /C calc'!A0;";

/**
 * GET /v1/export on a real collector: a CSV opened with `;` as the list separator (the default of a
 * Turkish-locale spreadsheet) has no cell that starts a formula, nor with `,`; NDJSON stays exact.
 */
describe('the audit export and formula injection through the separator', () => {
  let s: OperatorServer;
  beforeAll(async () => {
    s = await startOperator();
    const res = await fetch(`${s.url}/v1/consents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT },
      body: JSON.stringify({ recipient: RECIPIENT, channels: ['EPOSTA'], consentDate: formatTurkeyTime(Date.now()), notice: { version: NOTICE, hash: 'sha256:' + '0'.repeat(64) }, widgetVersion: '-1+1' }),
    });
    expect(res.status).toBe(202);
  });
  afterAll(async () => s?.close());

  it('CSV: no piece of any line, split by , or by ;, with or without honouring quotes, starts a formula', async () => {
    const text = await (await fetch(`${s.url}/v1/export?format=csv`, { headers: s.auth })).text();
    const lines = text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("(X11;'=1+1;) x");
    for (const line of lines) expect(formulaPieces(line)).toEqual([]);
  });

  it('NDJSON keeps every value exactly as it came', async () => {
    const [line] = (await (await fetch(`${s.url}/v1/export?format=ndjson`, { headers: s.auth })).text()).trim().split('\n');
    expect(JSON.parse(line!)).toMatchObject({ userAgent: USER_AGENT, piiPrincipalId: RECIPIENT, piiPrincipalIdAsEntered: RECIPIENT, noticeVersion: NOTICE, widgetVersion: '-1+1' });
  });
});
