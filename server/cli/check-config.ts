import { ConfigError, loadConfig } from '../runtime/config.ts';

export async function runCheckConfig(env: Record<string, string | undefined>): Promise<number> {
  try {
    loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`${p.variable} ${p.message}\n`);
    return 1;
  }
  return 0;
}
