import { z } from 'zod';
import type { SandboxRules } from './sandbox-ledger.ts';

/** Misbehaviour on demand, for tests, benchmarks and the demo. Every draw comes from one seeded PRNG. */
export interface SandboxFaults {
  /** 0–1: share of requests answered 500/503 (plain text), nothing stored. */
  failureRate: number;
  /** 0–1: share of requests answered 429 with Retry-After, nothing stored. */
  throttleRate: number;
  /** Seconds sent in Retry-After with a 429 (and with a 503). */
  retryAfterS: number;
  /** Milliseconds to wait after judging (and storing) before answering. */
  delayMs: number;
  /** 0–1: share of requests judged and stored as usual, then the connection is destroyed without an answer. */
  dropRate: number;
  seed: number;
}

export interface SandboxOptions extends SandboxRules {
  now: () => number;
  faults: SandboxFaults;
  /** How many requests the view's log keeps. */
  logSize: number;
}

/** What createSandbox() takes: the account, everything else has a default. */
export type SandboxInit = Pick<SandboxRules, 'apiKey' | 'apiHash' | 'brandCode'> &
  Partial<Omit<SandboxOptions, 'refuseRecipients' | 'faults'>> & {
    refuseRecipients?: Iterable<string>;
    faults?: Partial<SandboxFaults>;
  };

/** A run-time change: any subset of the options, faults merged field by field. */
export type SandboxPatch = Partial<Omit<SandboxInit, 'faults'>> & { faults?: Partial<SandboxFaults> };

export const DEFAULT_FAULTS: SandboxFaults = { failureRate: 0, throttleRate: 0, retryAfterS: 1, delayMs: 0, dropRate: 0, seed: 1 };

const rate = z.number().min(0).max(1);

/** The JSON body of POST /_sandbox/controls. */
export const sandboxPatchSchema = z
  .object({
    apiKey: z.string().min(1),
    apiHash: z.string().min(1),
    brandCode: z.union([z.string().min(1), z.number().int().positive()]),
    apiAccess: z.boolean(),
    subscription: z.boolean(),
    brandMismatchCode: z.union([z.literal(403), z.literal(422)]),
    duplicates: z.enum(['strict', 'lenient']),
    monthlyQuota: z.number().int().min(0).nullable(),
    refuseRecipients: z.array(z.string()),
    logSize: z.number().int().min(1).max(10_000),
    faults: z
      .object({
        failureRate: rate,
        throttleRate: rate,
        retryAfterS: z.number().int().min(0).max(86_400),
        delayMs: z.number().int().min(0).max(600_000),
        dropRate: rate,
        seed: z.number().int(),
      })
      .strict()
      .partial(),
  })
  .strict()
  .partial();

export function initialOptions(init: SandboxInit): SandboxOptions {
  return applyPatch(
    {
      apiKey: init.apiKey,
      apiHash: init.apiHash,
      brandCode: init.brandCode,
      apiAccess: true,
      subscription: true,
      brandMismatchCode: 403,
      duplicates: 'strict',
      monthlyQuota: null,
      refuseRecipients: new Set(),
      now: Date.now,
      faults: { ...DEFAULT_FAULTS },
      logSize: 200,
    },
    init,
  );
}

export function applyPatch(current: SandboxOptions, patch: SandboxPatch): SandboxOptions {
  const { faults, refuseRecipients, ...rest } = patch;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  return {
    ...current,
    ...defined,
    refuseRecipients: refuseRecipients === undefined ? current.refuseRecipients : new Set(refuseRecipients),
    faults: { ...current.faults, ...Object.fromEntries(Object.entries(faults ?? {}).filter(([, v]) => v !== undefined)) },
  };
}

