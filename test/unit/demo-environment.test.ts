import { describe, expect, it } from 'vitest';
import { demoEnvironment } from '../../server/cli/demo-environment.ts';
import { loadConfig } from '../../server/runtime/config.ts';

describe('the demo command\'s settings', () => {
  it('switches the sandbox on and allows the demo\'s own origin', () => {
    const config = loadConfig(demoEnvironment({}));
    expect(config).toMatchObject({ sandbox: true, port: 8787, host: '127.0.0.1', allowedOrigins: ['http://127.0.0.1:8787', 'http://localhost:8787'] });
  });

  it('follows PORT and HOST, an empty assignment counting as unset', () => {
    expect(loadConfig(demoEnvironment({ PORT: '9000', HOST: '::1' })).allowedOrigins).toEqual(['http://[::1]:9000', 'http://localhost:9000']);
    expect(loadConfig(demoEnvironment({ PORT: '', IYS_ALLOWED_ORIGINS: '' })).allowedOrigins).toEqual(['http://127.0.0.1:8787', 'http://localhost:8787']);
  });

  it('leaves what the environment sets', () => {
    const env = demoEnvironment({ IYS_SANDBOX: '0', IYS_ALLOWED_ORIGINS: 'https://shop.example', IYS_DATABASE_URL: 'file:/tmp/x.db' });
    expect(env).toMatchObject({ IYS_SANDBOX: '0', IYS_ALLOWED_ORIGINS: 'https://shop.example', IYS_DATABASE_URL: 'file:/tmp/x.db' });
  });
});
