import pg from 'pg';
import type { Logger } from '../log/logger.ts';
import { connectionConfig } from './postgres-connection.ts';
import { quoteIdent } from './postgres-schema.ts';

const RECONNECT_MIN_MS = 500;
// Short enough that the dispatchers hear inserts again within seconds of the database coming back.
const RECONNECT_MAX_MS = 5000;

export type InsertListenerOptions = {
  url: string;
  channel: string;
  /** Notifications with this payload are this store's own: its listeners were called directly. */
  ownPayload: string;
  log: Logger;
  /** Another process inserted (or the connection came back, so inserts may have gone unheard). */
  heard: () => void;
};

/**
 * The LISTEN connection of one store: a dedicated client (LISTEN holds it), reconnected with a
 * back-off whenever it drops, for as long as the store is open.
 */
export class InsertListener {
  private client: pg.Client | undefined;
  private delay = RECONNECT_MIN_MS;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: InsertListenerOptions) {}

  start(): void {
    void this.listen();
  }

  /** Resolves once LISTEN is active (or the listener is closed). */
  async ready(): Promise<void> {
    while (!this.closed && !this.client) await new Promise((r) => setTimeout(r, 20));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => {});
  }

  private async listen(): Promise<void> {
    if (this.closed) return;
    const { url, channel, ownPayload, log, heard } = this.opts;
    // No statement timeout: LISTEN's connection sits idle by design.
    const client = new pg.Client({ ...connectionConfig(url), query_timeout: undefined });
    let gone = false;
    const lost = (why: string) => {
      if (gone) return;
      gone = true;
      if (this.client === client) this.client = undefined;
      client.removeAllListeners();
      client.on('error', () => {});
      client.end().catch(() => {});
      if (this.closed) return;
      log.warn({ event: 'store.listen-lost', why, retryInMs: this.delay }, 'postgres LISTEN connection lost; reconnecting');
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.listen(), this.delay);
      this.timer.unref();
      this.delay = Math.min(this.delay * 2, RECONNECT_MAX_MS);
    };
    client.on('error', (err) => lost(err.message));
    client.on('end', () => lost('connection ended'));
    client.on('notification', (msg) => {
      if (msg.channel === channel && msg.payload !== ownPayload) heard();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (err) {
      lost(err instanceof Error ? err.message : String(err));
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    const wasReconnect = this.delay > RECONNECT_MIN_MS;
    this.client = client;
    this.delay = RECONNECT_MIN_MS;
    if (!wasReconnect) return;
    log.info({ event: 'store.listen-restored' }, 'postgres LISTEN connection restored');
    // Inserts made while the connection was down sent notifications nobody heard.
    heard();
  }
}
