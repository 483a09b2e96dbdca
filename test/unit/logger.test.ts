import { describe, expect, it } from 'vitest';
import { censorCredentials, createLogger, logLevelOf } from '../../server/log/logger.ts';

function linesOf(write: (log: ReturnType<typeof createLogger>) => void): Record<string, unknown>[] {
  const lines: string[] = [];
  write(createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(l) } }));
  return lines.map((l) => JSON.parse(l));
}

describe('credentials never reach a log line', () => {
  it.each([
    ['a top-level key', { token: 's3cret', event: 'x' }, { token: '[redacted]', event: 'x' }],
    ['one level down', { config: { apiKey: 'k', apiHash: 'h', port: 1 } }, { config: { apiKey: '[redacted]', apiHash: '[redacted]', port: 1 } }],
    ['headers.authorization', { headers: { authorization: 'Bearer s3cret' } }, { headers: { authorization: '[redacted]' } }],
    ['req.headers.authorization, two levels down', { req: { headers: { authorization: 'Bearer s3cret', host: 'example' } } }, { req: { headers: { authorization: '[redacted]', host: 'example' } } }],
    ['request.authentication (iletiMerkezi\'s body)', { request: { authentication: { key: 'k', hash: 'h' }, order: 1 } }, { request: { authentication: '[redacted]', order: 1 } }],
    ['x.request.authentication', { body: { request: { authentication: { key: 'k' } } } }, { body: { request: { authentication: '[redacted]' } } }],
    ['inside an array', { accounts: [{ password: 'p', user: 'u' }] }, { accounts: [{ password: '[redacted]', user: 'u' }] }],
    ['admin.token', { admin: { token: 'admin-token-0123456789' } }, { admin: { token: '[redacted]' } }],
  ])('%s', (_what, line, expected) => {
    const [written] = linesOf((log) => log.info(line, 'message'));
    expect(written).toMatchObject(expected);
    expect(JSON.stringify(written)).not.toMatch(/s3cret|"k"|"h"|"p"|admin-token/);
  });

  it('in a child logger\'s bindings too', () => {
    const [written] = linesOf((log) => log.child({ token: 's3cret', owner: 'w1' }).child({ requestId: 'r1', apiKey: 'k' }).info({ event: 'x' }, 'm'));
    expect(written).toMatchObject({ token: '[redacted]', owner: 'w1', requestId: 'r1', apiKey: '[redacted]', event: 'x' });
  });

  it('leaves the caller\'s object untouched and copies nothing when there is nothing to censor', () => {
    const clean = { event: 'consent.accepted', ids: ['a', 'b'], nested: { status: 'ONAY' } };
    expect(censorCredentials(clean)).toBe(clean);
    const dirty = { event: 'x', nested: { token: 't' } };
    expect(censorCredentials(dirty)).toEqual({ event: 'x', nested: { token: '[redacted]' } });
    expect(dirty.nested.token).toBe('t');
  });
});

describe('LOG_LEVEL', () => {
  it('counts an empty value as unset, takes a known level, and refuses an unknown one by name', () => {
    expect(logLevelOf(undefined)).toBe('info');
    expect(logLevelOf('')).toBe('info');
    expect(logLevelOf(' warn ')).toBe('warn');
    expect(logLevelOf('silent')).toBe('silent');
    expect(() => logLevelOf('verbose')).toThrow('LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent: got "verbose"');
  });
});
