import autocannon from 'autocannon';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';

/**
 * The load generator, in its own process: autocannon POSTing a consent (two channels, a fresh phone
 * number each time so the ledger sees distinct keys) and keeping the ids of every 2xx answer, so the
 * parent can look each acknowledged record up in the ledger afterwards.
 * argv[2]: JSON {url, connections, durationS, base}.
 */
type Args = { url: string; connections: number; durationS: number; base: number };
const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const consentDate = formatTurkeyTime(Date.now());
let seq = args.base;
const ids: string[] = [];

const bodyFor = (n: number) =>
  JSON.stringify({
    recipient: `0532 ${String(n % 10_000_000).padStart(7, '0').replace(/^(\d{3})(\d{2})(\d{2})$/, '$1 $2 $3')}`,
    recipientType: 'BIREYSEL',
    channels: ['MESAJ', 'ARAMA'],
    status: 'ONAY',
    consentDate,
    notice: { version: '2026-11-01', hash: 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae' },
    pageUrl: 'https://shop.example/kayit',
  });

process.send?.({ type: 'ready' });
const result = await autocannon({
  url: `${args.url}/v1/consents`,
  connections: args.connections,
  duration: args.durationS,
  timeout: 30,
  requests: [
    {
      method: 'POST',
      path: '/v1/consents',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: bodyFor(++seq) }),
      onResponse: (status, body) => {
        if (status >= 200 && status < 300) ids.push(...(JSON.parse(body) as { ids: string[] }).ids);
      },
    },
  ],
});
process.send?.(
  {
    type: 'result',
    reqPerS: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    ids,
  },
  () => process.exit(0),
);
