import { createHash } from 'node:crypto';

/**
 * What a PDF holds, read back with PDF.js (pdfjs-dist, legacy build for Node): its text, page by
 * page joined, and its attached files. For the audit report's tests, in vitest and in Playwright.
 */
export async function readPdf(bytes: Uint8Array): Promise<{ text: string; attachments: Map<string, Buffer> }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
  }
  const attached = ((await doc.getAttachments()) ?? {}) as Record<string, { filename: string; content: Uint8Array }>;
  const attachments = new Map(Object.values(attached).map((a) => [a.filename, Buffer.from(a.content)]));
  await doc.destroy();
  return { text: pages.join('\n'), attachments };
}

export const sha256Hex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
