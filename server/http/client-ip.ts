import { isIP } from 'node:net';
import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';

/**
 * The client's IP: the socket's peer, or, behind a reverse proxy (IYS_TRUST_PROXY=1), the last
 * X-Forwarded-For entry: the one the proxy itself appended. Entries left of it were written by the
 * client and could be anything, so they are never believed.
 */
export function clientIp(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for');
    const last = forwarded?.split(',').pop()?.trim();
    if (last && isIP(stripMapped(last))) return stripMapped(last);
  }
  const socketAddress = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket?.remoteAddress;
  return socketAddress ? stripMapped(socketAddress) : null;
}

/** `::ffff:203.0.113.9` (IPv4 on a dual-stack socket) is the IPv4 client 203.0.113.9. */
function stripMapped(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/**
 * The rate-limit key of an IP. One IPv6 subscriber usually holds a whole /64, so IPv6 clients are
 * counted per /64: otherwise one host could rotate through 2^64 addresses and never be limited.
 */
export function rateKeyOf(ip: string | null): string {
  if (ip === null) return 'unknown';
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
