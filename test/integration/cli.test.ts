import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/iys-consent.mjs');
const exec = promisify(execFile);

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('the iys-consent command line', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('lists every command in its help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['serve', 'demo', 'import [options] <file>', 'check-config']) expect(r.stdout).toMatch(new RegExp(`^  ${command.replace(/[[\]]/g, '\\$&')} `, 'm'));
  });

  it.each(['serve', 'demo', 'import', 'check-config'])('has --help on %s', async (command) => {
    const r = await cli([command, '--help']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`Usage: iys-consent ${command}`);
  });

  it('names the ledger default under the working directory in the help of serve', async () => {
    expect((await cli(['serve', '--help'])).stdout).toMatch(/IYS_DATABASE_URL +default file:\.\/data\/iys-consent\.db \(under the working directory\)/);
  });

  it('runs the demo only with the sandbox', async () => {
    const account = { IYS_SANDBOX: '0', ILETIMERKEZI_API_KEY: 'key-123456', ILETIMERKEZI_API_HASH: 'hash-123456', IYS_BRAND_CODE: '1234' };
    expect(await cli(['demo'], account)).toEqual({ code: 1, stdout: '', stderr: 'iys-consent: the demo runs only with the built-in İYS sandbox: leave IYS_SANDBOX unset or set it to 1\n' });
  });

  it('exits 2 for an unknown command or option, and without a command', async () => {
    expect(await cli(['collector'])).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command 'collector'") });
    expect(await cli(['serve', '--port', '1'])).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown option '--port'") });
    expect(await cli([])).toMatchObject({ code: 2, stderr: expect.stringContaining('Usage: iys-consent') });
  });
});
