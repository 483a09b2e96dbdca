/**
 * A consent text as the widget hashes it: every run of whitespace one space, none at the ends. The
 * widget (widget/notice.ts) and the collector's notice registry both hash this form, so a text
 * registered with other line breaks or indentation still matches what the page showed. No zod, no
 * I/O: the widget bundles it.
 */
export const noticeText = (text: string): string => text.replace(/\s+/g, ' ').trim();
