import { CONFIG_DEFAULTS } from '../runtime/config.ts';

/**
 * The demo's settings over the environment's: the built-in İYS sandbox, browser posts allowed from
 * the demo's own origin (browsers send Origin on same-origin POSTs too), and read-back quick enough
 * to watch: a record confirmed two seconds after it is registered, every key swept every 30 s.
 * Whatever the environment sets wins.
 */
export function demoEnvironment(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const port = env.PORT || CONFIG_DEFAULTS.PORT;
  const host = env.HOST || CONFIG_DEFAULTS.HOST;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    ...env,
    IYS_SANDBOX: env.IYS_SANDBOX || '1',
    PORT: port,
    HOST: host,
    IYS_ALLOWED_ORIGINS: env.IYS_ALLOWED_ORIGINS || `http://${hostInUrl}:${port},http://localhost:${port}`,
    IYS_CONFIRM_DELAY_MS: env.IYS_CONFIRM_DELAY_MS || '2000',
    IYS_SWEEP_AFTER_MS: env.IYS_SWEEP_AFTER_MS || '30000',
  };
}
