/**
 * Proof of what the person saw: the notice version and a SHA-256 of the exact text shown,
 * read through slots so a site's own legal text is what gets hashed.
 */
import { noticeText } from '../shared/notice-text.ts';
export { NOTICE_VERSION } from './texts.ts';
export const WIDGET_VERSION = '0.1.0';

/** Text of the nodes as rendered through slots (the flat tree), whitespace collapsed. */
export function flatText(nodes: Iterable<Node>): string {
  let out = '';
  const walk = (n: Node): void => {
    if (n.nodeType === 3) out += n.nodeValue;
    else {
      const assigned = (n as HTMLSlotElement).assignedNodes?.({ flatten: true });
      for (const c of assigned?.length ? assigned : n.childNodes) walk(c);
    }
  };
  for (const n of nodes) {
    walk(n);
    out += ' ';
  }
  // The form the collector's notice registry hashes too.
  return noticeText(out);
}

/** `sha256:` + 64 hex digits; undefined where WebCrypto is missing (a page not served over HTTPS). */
export async function sha256(text: string): Promise<string | undefined> {
  const subtle = crypto.subtle;
  if (subtle) return 'sha256:' + hex(await subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

const hex = (buffer: ArrayBuffer | Uint8Array): string => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** 32 random hex digits: names one consent so that a resend is recognised as the same one. */
export const newKey = (): string => hex(crypto.getRandomValues(new Uint8Array(16)));
