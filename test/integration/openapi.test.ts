import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { startOperator, type OperatorServer } from './operator-harness.ts';

type Schema = { type?: string; enum?: string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; additionalProperties?: boolean; $ref?: string };
type Doc = { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>; components: { schemas: Record<string, Schema> } };

// Domain samples for the plain strings the schema cannot describe fully (a phone, a Turkey time).
const SAMPLES: Record<string, () => string> = {
  recipient: () => '0532 123 45 67',
  consentDate: () => formatTurkeyTime(Date.now() - 60_000),
};

/** A value for every required property, taken from the document: enums give their first member. */
function fromSchema(schema: Schema, name = ''): unknown {
  if (schema.enum) return schema.enum[0];
  if (schema.type === 'array') return [fromSchema(schema.items!, name)];
  if (schema.type === 'object') {
    return Object.fromEntries((schema.required ?? []).map((k) => [k, fromSchema(schema.properties![k]!, k)]));
  }
  if (schema.type === 'string' && SAMPLES[name]) return SAMPLES[name]!();
  throw new Error(`no sample for ${name} (${JSON.stringify(schema)})`);
}

describe('GET /openapi.json', () => {
  let s: OperatorServer;
  let doc: Doc;
  beforeAll(async () => {
    s = await startOperator();
    const res = await fetch(`${s.url}/openapi.json`);
    expect(res.headers.get('content-type')).toContain('application/json');
    doc = await res.json();
  });
  afterAll(async () => s?.close());

  it('is OpenAPI 3.1 with the schemas the endpoints validate with, every $ref resolving', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['ConsentBody', 'BatchRequest', 'Accepted', 'Error', 'RecipientRecords', 'ConsentReceipt']));
    expect(doc.components.schemas.ConsentBody!.properties!.channels!.items!.enum).toEqual(['MESAJ', 'EPOSTA', 'ARAMA']);
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) expect(doc.components.schemas).toHaveProperty(ref.slice('"#/components/schemas/'.length, -1));
    for (const ops of Object.values(doc.paths)) for (const op of Object.values(ops)) expect(Object.keys(op.responses).length).toBeGreaterThan(0);
  });

  it('documents every route the app serves', () => {
    // Hono writes a path parameter `:ref` and a catch-all `*`, OpenAPI `{ref}`.
    const served = s.app.routes.filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}').replace(/\/\*$/, '/{file}')}`);
    expect(served.length).toBeGreaterThan(5);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    const missing = [...new Set(served)].filter((r) => !documented.includes(r));
    expect(missing).toEqual([]);
  });

  it('describes bodies the live endpoints accept, and refuses what it forbids', async () => {
    const consent = fromSchema(doc.components.schemas.ConsentBody!);
    const posted = await fetch(`${s.url}/v1/consents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(consent) });
    expect(posted.status).toBe(202);

    const batch = fromSchema(doc.components.schemas.BatchRequest!) as { records: Record<string, unknown>[] };
    // Another person than the consent's: a second ONAY for one key would be refused as redundant.
    batch.records[0]!.recipient = '0532 123 45 68';
    const accepted = await fetch(`${s.url}/v1/consents/batch`, { method: 'POST', headers: { 'content-type': 'application/json', ...s.auth }, body: JSON.stringify(batch) });
    expect(accepted.status).toBe(202);
    expect(doc.components.schemas.BatchRequest!.properties!.idempotencyKey!.type).toBe('string');

    expect(doc.components.schemas.BatchRequest!.properties!.records!.items!.additionalProperties).toBe(false);
    const extra = { records: [{ ...batch.records[0], consentDate: formatTurkeyTime(Date.now() - 30_000), note: 'x' }] };
    const refused = await fetch(`${s.url}/v1/consents/batch`, { method: 'POST', headers: { 'content-type': 'application/json', ...s.auth }, body: JSON.stringify(extra) });
    expect(refused.status).toBe(422);
  });
});
