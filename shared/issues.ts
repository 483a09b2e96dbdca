import type { z } from 'zod';

export type FieldIssue = { path: string; message: string };

/** zod issues as the collector's `issues: [{path, message}]`, paths written `channels.1` or `records.3.consentDate`. */
export function toFieldIssues(error: z.ZodError, prefix: (string | number)[] = []): FieldIssue[] {
  return error.issues.map((i) => ({
    path: [...prefix, ...i.path].map(String).join('.') || '(body)',
    message: i.message,
  }));
}
