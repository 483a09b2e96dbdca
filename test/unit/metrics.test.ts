import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../server/observability/metrics.ts';

/** The value of one sample line of the Prometheus text, e.g. `iys_x_total{outcome="accepted"}`. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('metrics', () => {
  it('counts requests to iletiMerkezi by outcome, with batch sizes and durations', async () => {
    const m = createMetrics();
    m.observeRequest('accepted', 5000, 120);
    m.observeRequest('accepted', 10, 30);
    m.observeRequest('account', 10, 15);
    const text = await m.render();
    expect(sample(text, 'iys_iletimerkezi_requests_total{outcome="accepted"}')).toBe(2);
    expect(sample(text, 'iys_iletimerkezi_requests_total{outcome="account"}')).toBe(1);
    expect(sample(text, 'iys_iletimerkezi_batch_size_sum')).toBe(5020);
    expect(sample(text, 'iys_iletimerkezi_batch_size_bucket{le="10"}')).toBe(2);
    expect(sample(text, 'iys_iletimerkezi_request_duration_seconds_count{outcome="accepted"}')).toBe(2);
  });

  it('observes ingest and dispatch latencies in seconds', async () => {
    const m = createMetrics();
    m.observeIngest(4);
    m.observeDispatch(90_000);
    const text = await m.render();
    expect(sample(text, 'iys_ingest_duration_seconds_sum')).toBe(0.004);
    expect(sample(text, 'iys_dispatch_latency_seconds_bucket{le="60"}')).toBe(0);
    expect(sample(text, 'iys_dispatch_latency_seconds_bucket{le="300"}')).toBe(1);
  });

  it('has dispatch latency buckets at the warning ages (24 h, 48 h) and the 72 h deadline', async () => {
    const m = createMetrics();
    m.observeDispatch(50 * 3600_000);
    const text = await m.render();
    expect(sample(text, 'iys_dispatch_latency_seconds_bucket{le="86400"}')).toBe(0);
    expect(sample(text, 'iys_dispatch_latency_seconds_bucket{le="172800"}')).toBe(0);
    expect(sample(text, 'iys_dispatch_latency_seconds_bucket{le="259200"}')).toBe(1);
  });

  it('shows whether sending is paused, and why, at scrape time', async () => {
    let status: { paused: boolean; reason?: string } = { paused: false };
    const m = createMetrics({ pauseStatus: () => status });
    expect(sample(await m.render(), 'iys_sending_paused{reason=""}')).toBe(0);
    status = { paused: true, reason: '405' };
    const text = await m.render();
    expect(sample(text, 'iys_sending_paused{reason="405"}')).toBe(1);
    expect(text).not.toContain('iys_sending_paused{reason=""}');
  });

  it('keeps two registries apart', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.observeRequest('transient', 1, 1);
    expect(sample(await b.render(), 'iys_iletimerkezi_requests_total{outcome="transient"}')).toBeUndefined();
  });
});
