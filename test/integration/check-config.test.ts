import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig, describeLedger } from '../../server/cli/check-config.ts';
import { createSandbox, startSandboxServer, type Sandbox } from '../../server/sandbox/index.ts';
import { startCollector as startRuntime } from '../../server/runtime/collector.ts';
import { testConfig } from '../../server/runtime/config.ts';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import { captureLogger } from '../helpers/capture-logger.ts';

/** `iys-consent check-config` against real ledgers and a real HTTP service standing in for iletiMerkezi. */

const BIN = join(import.meta.dirname, '../../bin/iys-consent.mjs');
const exec = promisify(execFile);
const ACCOUNT = { apiKey: 'panel-key-1234', apiHash: 'panel-hash-5678', brandCode: 4321 };

const dir = mkdtempSync(join(tmpdir(), 'iys-check-config-'));
let sandbox: Sandbox;
let iletimerkezi: { url: string; close(): Promise<void> };
let notIletimerkezi: Server;
let notIletimerkeziUrl: string;

beforeAll(async () => {
  sandbox = createSandbox(ACCOUNT);
  iletimerkezi = await startSandboxServer(sandbox);
  notIletimerkezi = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to nginx!</body></html>'));
  await new Promise<void>((resolve) => notIletimerkezi.listen(0, '127.0.0.1', resolve));
  notIletimerkeziUrl = `http://127.0.0.1:${(notIletimerkezi.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await iletimerkezi.close();
  notIletimerkezi.close();
  rmSync(dir, { recursive: true, force: true });
});

let ledgerNo = 0;
const ledger = () => `file:${join(dir, `ledger-${++ledgerNo}.db`)}`;
const live = (over: Record<string, string> = {}) => ({
  IYS_SANDBOX: '0', ILETIMERKEZI_BASE_URL: iletimerkezi.url, ILETIMERKEZI_API_KEY: ACCOUNT.apiKey, ILETIMERKEZI_API_HASH: ACCOUNT.apiHash,
  IYS_BRAND_CODE: String(ACCOUNT.brandCode), IYS_DATABASE_URL: ledger(), ...over,
});

describe('check-config: the settings', () => {
  it('names every bad setting at once, still checks the ledger, and leaves iletiMerkezi for later', async () => {
    const r = await checkConfig({ IYS_SANDBOX: '0', PORT: '99999', ILETIMERKEZI_API_KEY: ACCOUNT.apiKey, IYS_BRAND_CODE: 'abc', IYS_DATABASE_URL: ledger() });
    expect(r.problems).toEqual([
      'PORT must be a whole number from 0 to 65535 (got "99999")',
      'IYS_BRAND_CODE must be the numeric İYS brand code (got "abc")',
      'ILETIMERKEZI_API_HASH is required when IYS_SANDBOX is 0 (or set IYS_SANDBOX=1 for the built-in sandbox)',
      'iletiMerkezi: not checked until the settings above are right',
    ]);
    expect(r.passed).toEqual([expect.stringMatching(/^the SQLite ledger .* opens and takes writes$/)]);
  });
});

describe('check-config: the ledger', () => {
  it('names a ledger without the URL\'s user or password', () => {
    expect(describeLedger('postgres://iys:s3cret@db.internal:5432/iys')).toBe('the PostgreSQL ledger db.internal:5432/iys');
    expect(describeLedger('file:./data/iys-consent.db')).toBe('the SQLite ledger ./data/iys-consent.db');
  });

  it('names an unreachable PostgreSQL ledger, not its password', async () => {
    const r = await checkConfig({ IYS_SANDBOX: '1', IYS_DATABASE_URL: 'postgres://iys:s3cret@127.0.0.1:1/iys' });
    expect(r.problems).toEqual([expect.stringMatching(/^IYS_DATABASE_URL: the PostgreSQL ledger 127\.0\.0\.1:1\/iys cannot be opened: .*ECONNREFUSED/)]);
    expect(r.problems.join()).not.toContain('s3cret');
  });

  it('says a ledger that cannot be opened', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const r = await checkConfig({ IYS_SANDBOX: '1', IYS_DATABASE_URL: `file:${join(file, 'ledger.db')}` });
    expect(r.problems).toEqual([expect.stringMatching(/^IYS_DATABASE_URL: the SQLite ledger .*a-file\/ledger\.db cannot be opened: EEXIST: file already exists, mkdir/)]);
  });

  it('says a ledger that opens but takes no writes (a write lock held elsewhere)', async () => {
    const url = ledger();
    expect((await checkConfig({ IYS_SANDBOX: '1', IYS_DATABASE_URL: url })).problems).toEqual([]);
    const holder = new Database(url.slice('file:'.length));
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const r = await checkConfig({ IYS_SANDBOX: '1', IYS_DATABASE_URL: url });
      expect(r.problems).toEqual([expect.stringMatching(/^IYS_DATABASE_URL: the SQLite ledger .* opens but takes no writes: database is locked$/)]);
    } finally {
      holder.close();
    }
  });
});

describe('check-config: iletiMerkezi', () => {
  it('passes when it answers and accepts the credentials, having changed nothing there', async () => {
    const r = await checkConfig(live());
    expect(r).toEqual({ problems: [], warnings: [], passed: ['the settings', expect.stringMatching(/takes writes$/), `iletiMerkezi at ${iletimerkezi.url} answered and accepted the credentials (consent/show, brand 4321)`] });
    expect(sandbox.state.records()).toEqual([]);
  });

  it('names the key and hash on a 401, and API access switched off', async () => {
    const wrong = await checkConfig(live({ ILETIMERKEZI_API_HASH: 'not-the-hash' }));
    expect(wrong.problems).toEqual([expect.stringMatching(/^ILETIMERKEZI_API_KEY, ILETIMERKEZI_API_HASH: iletiMerkezi refused them \(401: .*\): check the key and hash, and that API access is switched on/)]);
    expect(wrong.problems.join()).not.toContain('not-the-hash');
    sandbox.configure({ apiAccess: false });
    try {
      expect((await checkConfig(live())).problems).toEqual([expect.stringMatching(/^ILETIMERKEZI_API_KEY, ILETIMERKEZI_API_HASH: iletiMerkezi refused them \(401/)]);
    } finally {
      sandbox.reset();
    }
  });

  it('names the subscription or brand code on a 403', async () => {
    sandbox.configure({ subscription: false });
    try {
      expect((await checkConfig(live())).problems).toEqual([expect.stringMatching(/^IYS_BRAND_CODE: iletiMerkezi answered 403 \(.*\): the account has no active İYS subscription, or brand 4321 is not the account's$/)]);
    } finally {
      sandbox.reset();
    }
  });

  it('says when iletiMerkezi cannot be reached, or what answers is not iletiMerkezi', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect((await checkConfig(live({ ILETIMERKEZI_BASE_URL: `http://127.0.0.1:${port}` }))).problems)
      .toEqual([expect.stringMatching(new RegExp(`^ILETIMERKEZI_BASE_URL: cannot reach iletiMerkezi at http://127.0.0.1:${port}: .*ECONNREFUSED`))]);
    expect((await checkConfig(live({ ILETIMERKEZI_BASE_URL: notIletimerkeziUrl }))).problems)
      .toEqual([expect.stringMatching(new RegExp(`^ILETIMERKEZI_BASE_URL: the answer from ${notIletimerkeziUrl} is not iletiMerkezi's \\(.*\\): is the URL right\\?$`))]);
  });

  it('with IYS_SANDBOX=1 asks the built-in sandbox, in its own process', async () => {
    expect(await checkConfig({ IYS_SANDBOX: '1', IYS_DATABASE_URL: ledger() })).toEqual({
      problems: [], warnings: [],
      passed: ['the settings', expect.stringMatching(/takes writes$/), 'the built-in İYS sandbox answered (IYS_SANDBOX=1: nothing goes to iletiMerkezi)'],
    });
  });
});

describe('iys-consent check-config', () => {
  async function run(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await exec(process.execPath, [BIN, 'check-config'], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env } });
      return { code: 0, stdout, stderr };
    } catch (e) {
      return e as { code: number; stdout: string; stderr: string };
    }
  }

  it('prints one ok line per check and exits 0', async () => {
    const r = await run(live());
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trim().split('\n')).toEqual([
      'ok: the settings', expect.stringMatching(/^ok: the SQLite ledger .* opens and takes writes$/), expect.stringMatching(/^ok: iletiMerkezi at .* accepted the credentials/),
    ]);
  });

  it('warns, without failing, that IYS_NOTICE_POLICY=require refuses every web consent while no text is registered; not once one is', async () => {
    const url = ledger();
    const r = await run(live({ IYS_NOTICE_POLICY: 'require', IYS_DATABASE_URL: url }));
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^warn: IYS_NOTICE_POLICY=require and no notice text is registered: every web consent is refused/)]);
    const store = new SqliteStore(url.slice('file:'.length));
    await store.init();
    await store.proof().registerNotice({ version: 'v1', lang: 'tr', text: 'Onay veriyorum.', hash: 'sha256:' + '0'.repeat(64), registeredAt: Date.now() });
    await store.close();
    expect(await run(live({ IYS_NOTICE_POLICY: 'require', IYS_DATABASE_URL: url }))).toMatchObject({ code: 0, stderr: '' });
  });

  it('serve logs the same once, at warn, when it starts', async () => {
    const { logger, lines } = captureLogger();
    const rt = await startRuntime(testConfig({ port: 0, host: '127.0.0.1', databaseUrl: ledger(), noticePolicy: 'require' }), { logger });
    await rt.stop();
    expect(lines.filter((l) => l.event === 'notices.none-registered').map((l) => l.level)).toEqual([40]);
  });

  it('prints one line per problem on stderr, never a credential, and exits 1', async () => {
    const r = await run(live({ ILETIMERKEZI_API_HASH: 'not-the-hash', IYS_BATCH_MAX: '9000' }));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^IYS_BATCH_MAX /), 'iletiMerkezi: not checked until the settings above are right']);
    const refused = await run(live({ ILETIMERKEZI_API_HASH: 'not-the-hash' }));
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ILETIMERKEZI_API_KEY, ILETIMERKEZI_API_HASH: iletiMerkezi refused them \(401/)]);
    expect(refused.stdout + refused.stderr).not.toMatch(/not-the-hash|panel-key-1234/);
  });
});
