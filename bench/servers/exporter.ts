import http from 'node:http';
import { serveParent } from '../children.ts';

/**
 * An auditor's client in its own process: GET /v1/export as NDJSON, read as fast as the socket
 * gives it, again and again until the parent asks `stop`; the answer says how many exports ended
 * and how many bytes came. argv[2]: JSON {url, token}.
 */
type Args = { url: string; token: string };
const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const { hostname, port } = new URL(args.url);
let exports = 0;
let bytes = 0;
let stopping = false;
let current: http.ClientRequest | undefined;

function once(): Promise<void> {
  return new Promise((resolve, reject) => {
    current = http.get({ host: hostname, port, path: '/v1/export?format=ndjson', headers: { authorization: `Bearer ${args.token}` } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`the export answered ${res.statusCode}`));
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => {
        if (res.complete) exports++;
        resolve();
      });
      res.on('error', () => resolve());
    });
    current.on('error', (err) => (stopping ? resolve() : reject(err)));
  });
}

async function loop(): Promise<void> {
  while (!stopping) await once();
}
const looping = loop();

serveParent(async (msg) => {
  if (msg.type !== 'stop') throw new Error(`unknown request ${String(msg.type)}`);
  stopping = true;
  current?.destroy();
  await looping;
  return { exports, bytes };
});
process.send?.({ type: 'ready' });
