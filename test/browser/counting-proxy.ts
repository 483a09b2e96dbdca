/**
 * Relays every request to `target` and counts the consent posts that went through: a real
 * collector's own port cannot say how often a page called it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'content-encoding']);

export type CountingProxy = { url: string; posts(): number; close(): Promise<void> };

const headersOf = (pairs: Iterable<[string, string | string[] | undefined]>) =>
  Object.fromEntries([...pairs].filter(([k, v]) => v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())).map(([k, v]) => [k, String(v)]));

async function bodyOf(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined; // consent bodies are UTF-8 text
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  let posts = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'POST' && req.url?.startsWith('/v1/consents')) posts++;
      const answer = await fetch(target + req.url, { method: req.method, headers: headersOf(Object.entries(req.headers)), body: await bodyOf(req) });
      res.writeHead(answer.status, headersOf(answer.headers.entries()));
      res.end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => res.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts: () => posts,
    close: () => {
      server.closeAllConnections();
      return new Promise((ok) => server.close(() => ok()));
    },
  };
}
