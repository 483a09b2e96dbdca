import { Hono } from 'hono';

/** A check throws (or rejects) when its part is unhealthy; the message becomes the reason. */
export type HealthCheck = () => Promise<void> | void;

/**
 * `readiness`: while it fails the collector cannot durably accept a consent, and a load balancer
 * should send consents elsewhere (503). `degraded`: something an operator must act on that does
 * not stop collecting (an İYS-side problem): reported with 200, so the collector stays in rotation
 * and keeps accepting the consents it can register later.
 */
export type CheckKind = 'readiness' | 'degraded';

export type HealthReport = { status: 'ok' } | { status: 'degraded' | 'unavailable'; reasons: string[] };

// A check that hangs (a stuck database) must make /healthz say so, not hang with it.
const CHECK_TIMEOUT_MS = 2000;

/** The named checks behind GET /healthz; each part of the collector adds its own. */
export class HealthChecks {
  private readonly checks = new Map<string, { check: HealthCheck; kind: CheckKind }>();

  addCheck(name: string, check: HealthCheck, kind: CheckKind = 'degraded'): this {
    this.checks.set(name, { check, kind });
    return this;
  }

  /** `unavailable` when a readiness check fails, else `degraded` when any check fails; every failing check's reason, sorted. */
  async run(): Promise<HealthReport> {
    const reasons: string[] = [];
    let ready = true;
    await Promise.all(
      [...this.checks].map(async ([name, { check, kind }]) => {
        const problem = await runOne(check);
        if (problem === null) return;
        reasons.push(`${name}: ${problem}`);
        if (kind === 'readiness') ready = false;
      }),
    );
    if (reasons.length === 0) return { status: 'ok' };
    return { status: ready ? 'degraded' : 'unavailable', reasons: reasons.sort() };
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

/**
 * GET /healthz, readiness: 200 {"status":"ok"} or {"status":"degraded","reasons":[…]} while the
 * collector can durably accept consents; 503 {"status":"unavailable","reasons":[…]} when it cannot.
 */
export function healthRoutes(health: HealthChecks): Hono {
  const routes = new Hono();
  routes.get('/healthz', async (c) => {
    const report = await health.run();
    c.header('Cache-Control', 'no-store');
    return c.json(report, report.status === 'unavailable' ? 503 : 200);
  });
  return routes;
}
