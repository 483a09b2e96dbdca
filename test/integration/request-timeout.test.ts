import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../server/log/logger.ts';
import { testConfig } from '../../server/runtime/config.ts';
import { HTTP_TIMEOUTS, startCollector, type CollectorRuntime } from '../../server/runtime/collector.ts';

/**
 * The whole request, body included, must arrive within the request timeout. Node checks its
 * timeouts only every connectionsCheckingInterval (30 s by default), so a body trickled a byte at a
 * time lived 59 s against a 30 s timeout. Here the collector runs with a 2 s request timeout: the
 * trickling socket must be closed well before Node's default check would come round.
 */
describe('a body trickled a byte at a time', () => {
  let rt: CollectorRuntime;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'iys-trickle-'));
    const config = testConfig({ port: 0, host: '127.0.0.1', databaseUrl: `file:${join(dir, 'ledger.db')}` });
    rt = await startCollector(config, { logger: silentLogger, httpTimeouts: { headersMs: 1000, requestMs: 2000 } });
  });
  afterAll(async () => {
    await rt?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is cut off once the request timeout has passed, not at the next 30-second check', async () => {
    expect(HTTP_TIMEOUTS).toEqual({ headersMs: 10_000, requestMs: 30_000 });
    const { port } = new URL(rt.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const started = Date.now();
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
    socket.on('error', () => {});
    socket.write('POST /v1/consents HTTP/1.1\r\nHost: collector\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('{'), 200);
    const lived = await closed;
    clearInterval(trickle);
    // Generous: the timeout is 2 s and the check comes every second; Node's default check comes at 30 s.
    expect(lived).toBeLessThan(15_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  }, 60_000);
});
