import pino from 'pino';
import { loadConfig } from '../../server/runtime/config.ts';
import { startCollector } from '../../server/runtime/collector.ts';
import { createLogger } from '../../server/log/logger.ts';
import { serveParent } from '../children.ts';

/**
 * The collector under test: exactly what `npm run collector` runs (startCollector with the
 * configuration read from the environment), logging at info as in production but into /dev/null
 * so no pipe back to the parent adds work. BENCH_PG_SCHEMA puts a PostgreSQL ledger in its own schema.
 * Answers the parent over IPC: `byIds` (states, registeredAt and confirmedAt of records), `counts`.
 */
const config = loadConfig(process.env);
const logger = createLogger({ destination: pino.destination({ dest: '/dev/null', sync: false }) });
const schema = process.env.BENCH_PG_SCHEMA;
const runtime = await startCollector(config, { logger, ...(schema ? { storeOptions: { schema } } : {}) });

serveParent(async (msg) => {
  switch (msg.type) {
    case 'byIds': {
      const records = await runtime.store.byIds(msg.ids as string[]);
      return { records: records.map((r) => ({ id: r.id, state: r.state, registeredAt: r.registeredAt, confirmedAt: r.confirmedAt })) };
    }
    case 'counts':
      return { counts: await runtime.store.countByState() };
    default:
      throw new Error(`unknown request ${String(msg.type)}`);
  }
});

process.on('SIGTERM', () => {
  void runtime.stop().then(() => process.exit(0));
});
process.send?.({ type: 'ready', url: runtime.url });
