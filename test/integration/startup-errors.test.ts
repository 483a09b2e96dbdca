import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { watch } from '../helpers/collector-process.ts';

/**
 * `iys-consent serve` (what `npm run collector` runs) that cannot start says which setting is wrong, in one line on stderr, exit 1:
 * HOST for an address that is not this machine's or a name that does not resolve, PORT for a port
 * in use or not allowed, IYS_DATABASE_URL only when the ledger itself cannot be opened.
 */
describe('start-up errors name the setting to fix', () => {
  let dir: string;
  let busy: Server;
  let busyPort: number;
  const running: ReturnType<typeof watch>[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'iys-startup-'));
    busy = createServer();
    busyPort = await new Promise<number>((resolve) => busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)));
  });
  afterEach(() => {
    for (const p of running.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  });
  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function failedStart(env: Record<string, string>): Promise<string> {
    const p = watch(spawn(process.execPath, ['bin/iys-consent.mjs', 'serve'], {
      cwd: join(import.meta.dirname, '../..'),
      env: { PATH: process.env.PATH ?? '', IYS_SANDBOX: '1', IYS_DATABASE_URL: `file:${join(dir, 'ledger.db')}`, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }));
    running.push(p);
    expect(await p.exited).toBe(1);
    const lines = p.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0]!;
  }

  it.each([
    ['an address that is not this machine\'s', { HOST: '192.0.2.1', PORT: '0' }, /^iys-consent: HOST: cannot listen on 192\.0\.2\.1:0: .*not an address of this machine \(EADDRNOTAVAIL\)$/],
    ['a name that does not resolve', { HOST: 'no-such-host.invalid', PORT: '0' }, /^iys-consent: HOST: cannot listen on no-such-host\.invalid:0: the name .* does not resolve \((ENOTFOUND|EAI_AGAIN)\)$/],
  ])('HOST: %s', async (_what, env, line) => {
    const err = await failedStart(env);
    expect(err).toMatch(line);
    expect(err).not.toContain('IYS_DATABASE_URL');
  });

  it('PORT: a port in use', async () => {
    const err = await failedStart({ HOST: '127.0.0.1', PORT: String(busyPort) });
    expect(err).toMatch(new RegExp(`^iys-consent: PORT: cannot listen on 127\\.0\\.0\\.1:${busyPort}: port ${busyPort} is in use by another process \\(EADDRINUSE\\)$`));
  });

  it('IYS_DATABASE_URL: a ledger that cannot be opened', async () => {
    // Its folder would be a regular file: the ledger cannot be made there.
    writeFileSync(join(dir, 'not-a-folder'), '');
    const err = await failedStart({ HOST: '127.0.0.1', PORT: '0', IYS_DATABASE_URL: `file:${join(dir, 'not-a-folder', 'ledger.db')}` });
    expect(err).toMatch(/^iys-consent: IYS_DATABASE_URL: cannot open the SQLite ledger: .*not-a-folder/);
  });
});
