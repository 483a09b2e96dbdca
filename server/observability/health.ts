import { Hono } from 'hono';

/** A check throws (or rejects) when its part is unhealthy; the message becomes the reason. */
export type HealthCheck = () => Promise<void> | void;

export type HealthReport = { status: 'ok' } | { status: 'degraded'; reasons: string[] };

// A check that hangs (a stuck database) must make /healthz say so, not hang with it.
const CHECK_TIMEOUT_MS = 2000;

/** The named checks behind GET /healthz; each part of the collector adds its own. */
export class HealthChecks {
  private readonly checks = new Map<string, HealthCheck>();

  addCheck(name: string, check: HealthCheck): this {
    this.checks.set(name, check);
    return this;
  }

  async run(): Promise<HealthReport> {
    const reasons: string[] = [];
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const problem = await runOne(check);
        if (problem !== null) reasons.push(`${name}: ${problem}`);
      }),
    );
    return reasons.length === 0 ? { status: 'ok' } : { status: 'degraded', reasons: reasons.sort() };
  }
}

async function runOne(check: HealthCheck): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(check).then(() => null), timeout]);
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).slice(0, 200);
  } finally {
    clearTimeout(timer);
  }
}

/** GET /healthz: 200 {"status":"ok"}, or 503 {"status":"degraded","reasons":[…]}. */
export function healthRoutes(health: HealthChecks): Hono {
  const routes = new Hono();
  routes.get('/healthz', async (c) => {
    const report = await health.run();
    c.header('Cache-Control', 'no-store');
    return c.json(report, report.status === 'ok' ? 200 : 503);
  });
  return routes;
}
