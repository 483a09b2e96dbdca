import { createSandbox, startSandboxServer } from '../../server/sandbox/index.ts';
import { serveParent } from '../children.ts';
import { BENCH_ACCOUNT } from '../records.ts';

/**
 * The İYS sandbox on its own port and in its own process, so that what it costs to judge 5000
 * records is not charged to the process being measured. Answers `count` (records it holds).
 */


const sandbox = createSandbox({ ...BENCH_ACCOUNT });
const server = await startSandboxServer(sandbox, { port: 0 });
serveParent((msg) => {
  if (msg.type === 'count') return { count: sandbox.state.records().length };
  throw new Error(`unknown request ${String(msg.type)}`);
});
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
process.send?.({ type: 'ready', url: server.url });
