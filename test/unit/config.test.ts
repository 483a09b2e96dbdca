import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/runtime/config.ts';

const SANDBOX = { IYS_SANDBOX: '1' };
const LIVE = { IYS_SANDBOX: '0', ILETIMERKEZI_API_KEY: 'key-abc123', ILETIMERKEZI_API_HASH: 'hash-def456', IYS_BRAND_CODE: '1234' };

function failure(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('loadConfig accepted a bad environment');
}

describe('loadConfig: defaults', () => {
  it('has the contract defaults', () => {
    expect(loadConfig(SANDBOX)).toEqual({
      port: 8787,
      host: '127.0.0.1',
      databaseUrl: 'file:./data/iys-consent.db',
      iletimerkezi: { baseUrl: 'https://api.iletimerkezi.com', apiKey: null, apiHash: null },
      brandCode: null,
      sandbox: true,
      allowedOrigins: [],
      admin: { token: null },
      flushMs: 1000,
      batchMax: 5000,
      rateLimit: 60,
      trustProxy: false,
      clockToleranceS: 600,
      verification: { sender: 'SANDBOX', codeTtlS: 600, maxAttempts: 5, windowS: 3600, perNumber: 3, perIp: 10, global: 300, daily: 1000 },
      noticePolicy: 'record',
      readback: { confirmDelayMs: 60_000, confirmWithinMs: 3_600_000, ratePerS: 5, sweepAfterMs: 86_400_000, sweepRatePerS: 1 },
      formToken: { key: null, ttlS: 600 },
      allowNoOrigin: true,
    });
  });

  it('switches SMS verification off without IYS_SMS_SENDER outside the sandbox, and checks the sender header', () => {
    expect(loadConfig(LIVE).verification.sender).toBeNull();
    expect(loadConfig({ ...LIVE, IYS_SMS_SENDER: 'MAGAZA' }).verification.sender).toBe('MAGAZA');
    const e = failure({ ...SANDBOX, IYS_SMS_SENDER: 'A SENDER THAT IS TOO LONG' });
    expect(e.variable).toBe('IYS_SMS_SENDER');
    expect(failure({ ...SANDBOX, IYS_SMS_PER_NUMBER: '0' }).variable).toBe('IYS_SMS_PER_NUMBER');
  });

  it('IYS_READBACK=0 switches read-back off; its settings are checked and named', () => {
    expect(loadConfig({ ...SANDBOX, IYS_READBACK: '0' }).readback).toBeNull();
    expect(loadConfig({ ...SANDBOX, IYS_CONFIRM_DELAY_MS: '0', IYS_READBACK_RATE: '20' }).readback).toMatchObject({ confirmDelayMs: 0, ratePerS: 20 });
    expect(failure({ ...SANDBOX, IYS_READBACK_RATE: '0' }).variable).toBe('IYS_READBACK_RATE');
    expect(failure({ ...SANDBOX, IYS_CONFIRM_WITHIN_MS: '90000000' }).variable).toBe('IYS_CONFIRM_WITHIN_MS');
    expect(loadConfig({ ...SANDBOX, IYS_SWEEP_AFTER_MS: '0' }).readback).toMatchObject({ sweepAfterMs: 0 });
    // The sweep shares read-back's pace: never faster than IYS_READBACK_RATE.
    expect(loadConfig({ ...SANDBOX, IYS_SWEEP_RATE: '50', IYS_READBACK_RATE: '10' }).readback).toMatchObject({ sweepRatePerS: 10 });
  });

  it('IYS_SANDBOX defaults to 0, which needs the credentials and brand code', () => {
    const e = failure({});
    expect(e.variable).toBe('ILETIMERKEZI_API_KEY');
    expect(e.message).toContain('ILETIMERKEZI_API_HASH');
    expect(e.message).toContain('IYS_BRAND_CODE');
    expect(e.message).not.toContain('\n');
  });

  it('takes the credentials when IYS_SANDBOX is 0', () => {
    const c = loadConfig(LIVE);
    expect(c).toMatchObject({ sandbox: false, brandCode: '1234', iletimerkezi: { apiKey: 'key-abc123', apiHash: 'hash-def456' } });
  });

  it('treats an empty assignment as unset', () => {
    expect(loadConfig({ ...SANDBOX, IYS_RATE_LIMIT: '', PORT: '' })).toMatchObject({ rateLimit: 60, port: 8787 });
  });
});

type Row = [variable: string, value: string, expected: unknown];
const VALID: Row[] = [
  ['PORT', '0', { port: 0 }],
  ['PORT', '65535', { port: 65535 }],
  ['HOST', '0.0.0.0', { host: '0.0.0.0' }],
  ['IYS_DATABASE_URL', 'file:/tmp/x.db', { databaseUrl: 'file:/tmp/x.db' }],
  ['IYS_DATABASE_URL', 'postgres://u:p@127.0.0.1:5432/db', { databaseUrl: 'postgres://u:p@127.0.0.1:5432/db' }],
  ['IYS_DATABASE_URL', 'postgresql://127.0.0.1/db', { databaseUrl: 'postgresql://127.0.0.1/db' }],
  ['ILETIMERKEZI_BASE_URL', 'http://127.0.0.1:9999/', { iletimerkezi: { baseUrl: 'http://127.0.0.1:9999' } }],
  ['IYS_ALLOWED_ORIGINS', 'https://shop.example, http://localhost:5173/', { allowedOrigins: ['https://shop.example', 'http://localhost:5173'] }],
  ['IYS_ADMIN_TOKEN', 'a-long-enough-admin-token', { admin: { token: 'a-long-enough-admin-token' } }],
  ['IYS_FLUSH_MS', '0', { flushMs: 0 }],
  ['IYS_BATCH_MAX', '1', { batchMax: 1 }],
  ['IYS_BATCH_MAX', '5000', { batchMax: 5000 }],
  ['IYS_RATE_LIMIT', '0', { rateLimit: 0 }],
  ['IYS_TRUST_PROXY', '1', { trustProxy: true }],
  ['IYS_CLOCK_TOLERANCE_S', '30', { clockToleranceS: 30 }],
  ['IYS_BRAND_CODE', '987654', { brandCode: '987654' }],
  ['IYS_NOTICE_POLICY', 'require', { noticePolicy: 'require' }],
  ['IYS_FORM_TOKEN_SECRET', 'x'.repeat(32), { formToken: { key: 'x'.repeat(32), ttlS: 600 }, allowNoOrigin: false }],
  ['IYS_FORM_TOKEN_TTL_S', '60', { formToken: { key: null, ttlS: 60 } }],
  ['IYS_ALLOW_NO_ORIGIN', '0', { allowNoOrigin: false }],
];

const INVALID: [variable: string, value: string][] = [
  ['PORT', 'http'],
  ['PORT', '65536'],
  ['PORT', '-1'],
  ['PORT', '80.5'],
  ['HOST', 'a\nb'],
  ['IYS_DATABASE_URL', 'mysql://root:s3cret@db/iys'],
  ['IYS_DATABASE_URL', './data.db'],
  ['IYS_DATABASE_URL', 'postgres://root:s3cret@[bad'],
  ['ILETIMERKEZI_BASE_URL', 'ftp://api.example'],
  ['ILETIMERKEZI_BASE_URL', 'not a url'],
  ['IYS_SANDBOX', 'yes'],
  ['IYS_SANDBOX', 'true'],
  ['IYS_ALLOWED_ORIGINS', '*'],
  ['IYS_ALLOWED_ORIGINS', 'https://shop.example/kayit'],
  ['IYS_ALLOWED_ORIGINS', 'shop.example'],
  ['IYS_ADMIN_TOKEN', 's3cret'],
  ['IYS_ADMIN_TOKEN', ' padded-secret-token-123 '],
  ['IYS_FLUSH_MS', 'soon'],
  ['IYS_BATCH_MAX', '0'],
  ['IYS_BATCH_MAX', '5001'],
  ['IYS_RATE_LIMIT', '-5'],
  ['IYS_TRUST_PROXY', '2'],
  ['IYS_CLOCK_TOLERANCE_S', '1e3'],
  ['IYS_CLOCK_TOLERANCE_S', '86401'],
  ['IYS_BRAND_CODE', 'ACME'],
  ['IYS_NOTICE_POLICY', 'strict'],
  ['IYS_FORM_TOKEN_SECRET', 'too-short'],
  ['IYS_FORM_TOKEN_TTL_S', '59'],
  ['IYS_ALLOW_NO_ORIGIN', 'yes'],
  ['ILETIMERKEZI_API_KEY', ' s3cret-key'],
  ['ILETIMERKEZI_API_HASH', 's3cret\thash'],
];

describe('loadConfig: each variable', () => {
  it.each(VALID)('%s=%j is accepted', (variable, value, expected) => {
    expect(loadConfig({ ...SANDBOX, [variable]: value })).toMatchObject(expected as object);
  });

  it.each(INVALID)('%s=%j stops the start with one line naming it', (variable, value) => {
    const e = failure({ ...LIVE, [variable]: value });
    expect(e.variable).toBe(variable);
    expect(e.message.startsWith(`${variable} `)).toBe(true);
    expect(e.message).not.toMatch(/[\r\n]/);
  });

  it.each([
    ['ILETIMERKEZI_API_KEY', ' s3cret-key'],
    ['ILETIMERKEZI_API_HASH', 's3cret\thash'],
    ['IYS_ADMIN_TOKEN', 's3cret'],
    ['IYS_DATABASE_URL', 'mysql://root:s3cret@db/iys'],
    ['IYS_DATABASE_URL', 'postgres://root:s3cret@[bad'],
    ['IYS_FORM_TOKEN_SECRET', 's3cret-too-short'],
  ])('%s: the value is never echoed', (variable, value) => {
    const e = failure({ ...LIVE, [variable]: value });
    expect(e.message).not.toContain('s3cret');
    expect(JSON.stringify(e.problems)).not.toContain('s3cret');
  });

  it('echoes a non-secret value so the operator sees the typo', () => {
    expect(failure({ ...SANDBOX, IYS_BATCH_MAX: '50000' }).message).toBe('IYS_BATCH_MAX must be a whole number from 1 to 5000 (got "50000")');
  });

  it.each(['ILETIMERKEZI_API_KEY', 'ILETIMERKEZI_API_HASH', 'IYS_BRAND_CODE'])('%s is required when IYS_SANDBOX=0 only', (variable) => {
    const env: Record<string, string | undefined> = { ...LIVE, [variable]: undefined };
    const e = failure(env);
    expect(e.variable).toBe(variable);
    expect(e.message).toMatch(/required when IYS_SANDBOX is 0/);
    expect(loadConfig({ ...env, IYS_SANDBOX: '1' }).sandbox).toBe(true);
  });

  it('refuses an http:// ILETIMERKEZI_BASE_URL outside the sandbox unless the host is loopback', () => {
    const e = failure({ ...LIVE, ILETIMERKEZI_BASE_URL: 'http://api.iletimerkezi.com' });
    expect(e.variable).toBe('ILETIMERKEZI_BASE_URL');
    expect(e.message).toMatch(/^ILETIMERKEZI_BASE_URL must be https:\/\/ when IYS_SANDBOX is 0: the API key and hash would travel in clear/);
    expect(e.message).not.toMatch(/[\r\n]|key-abc123|hash-def456/);
    for (const url of ['http://127.0.0.1:9999', 'http://localhost:8080/', 'http://[::1]:81', 'https://api.example']) {
      expect(loadConfig({ ...LIVE, ILETIMERKEZI_BASE_URL: url }).iletimerkezi.baseUrl).toBe(url.replace(/\/$/, ''));
    }
    for (const url of ['http://10.0.0.5', 'http://127.0.0.1.example.com', 'http://localhost.evil.example']) {
      expect(failure({ ...LIVE, ILETIMERKEZI_BASE_URL: url }).variable).toBe('ILETIMERKEZI_BASE_URL');
    }
    // The sandbox sends no credentials anywhere: any http URL is fine there.
    expect(loadConfig({ ...SANDBOX, ILETIMERKEZI_BASE_URL: 'http://api.example' }).iletimerkezi.baseUrl).toBe('http://api.example');
  });

  it('reports every problem, still on one line', () => {
    const e = failure({ ...SANDBOX, PORT: 'x', IYS_BATCH_MAX: '0' });
    expect(e.problems.map((p) => p.variable)).toEqual(['PORT', 'IYS_BATCH_MAX']);
    expect(e.message).not.toContain('\n');
  });

  it('names a missing credential and a clear-text base URL beside other bad values, for check-config to list them all', () => {
    const e = failure({ IYS_SANDBOX: '0', PORT: 'x', ILETIMERKEZI_API_KEY: 'key-abc123', ILETIMERKEZI_BASE_URL: 'http://api.example' });
    expect(e.problems.map((p) => p.variable)).toEqual(['PORT', 'ILETIMERKEZI_API_HASH', 'IYS_BRAND_CODE', 'ILETIMERKEZI_BASE_URL']);
  });
});
