import { z } from 'zod';

/**
 * The collector's configuration: the environment of docs/contract.md, validated once at start-up.
 * A bad value stops the start with ONE line naming the variable; credentials (and the database URL,
 * which may carry a password) are never echoed back.
 */

export type Config = {
  port: number;
  host: string;
  databaseUrl: string;
  iletimerkezi: { baseUrl: string; apiKey: string | null; apiHash: string | null };
  brandCode: string | null;
  sandbox: boolean;
  /** Browser origins (scheme://host[:port]) allowed to post consents. Empty: browser posts refused. */
  allowedOrigins: string[];
  /** Nested under `admin.token` so the logger's `*.token` redaction covers it. */
  admin: { token: string | null };
  flushMs: number;
  batchMax: number;
  /** Consent posts a minute from one client IP; 0 switches the limit off. */
  rateLimit: number;
  trustProxy: boolean;
  clockToleranceS: number;
  /** IYS_NOTICE_POLICY: a consent whose text is not a registered one is recorded as such, or refused (422 unknown-notice). */
  noticePolicy: 'record' | 'require';
  /**
   * Signed form tokens (IYS_FORM_TOKEN_SECRET, IYS_FORM_TOKEN_TTL_S): the secret under `key`, so the
   * logger's credential censoring covers it; null switches the tokens off.
   */
  formToken: { key: string | null; ttlS: number };
  /** IYS_ALLOW_NO_ORIGIN: whether a consent post without Origin (a server, an app) is taken. */
  allowNoOrigin: boolean;
  /** The SMS code double opt-in (`verify="sms"`); sender null: switched off. */
  verification: VerificationConfig;
  /** Reading İYS back through consent/show (server/readback); null when IYS_READBACK=0. */
  readback: { confirmDelayMs: number; confirmWithinMs: number; ratePerS: number; sweepAfterMs: number; sweepRatePerS: number } | null;
};

/** The IYS_SMS_* settings (docs/contract.md): the code, its lifetime, and the caps on sending it. */
export type VerificationConfig = {
  /** The approved sender header; null switches SMS verification off. */
  sender: string | null;
  codeTtlS: number;
  maxAttempts: number;
  /** The window of the per-number, per-IP and global caps. */
  windowS: number;
  perNumber: number;
  perIp: number;
  global: number;
  /** Codes a Turkey calendar day. */
  daily: number;
};

export class ConfigError extends Error {
  constructor(
    /** The first variable at fault. */
    readonly variable: string,
    readonly problems: { variable: string; message: string }[],
  ) {
    super(problems.map((p) => `${p.variable} ${p.message}`).join('; '));
    this.name = 'ConfigError';
  }
}

export const CONFIG_DEFAULTS = {
  PORT: '8787',
  HOST: '127.0.0.1',
  IYS_DATABASE_URL: 'file:./data/iys-consent.db',
  ILETIMERKEZI_BASE_URL: 'https://api.iletimerkezi.com',
  IYS_SANDBOX: '0',
  IYS_FLUSH_MS: '1000',
  IYS_BATCH_MAX: '5000',
  IYS_RATE_LIMIT: '60',
  IYS_TRUST_PROXY: '0',
  IYS_CLOCK_TOLERANCE_S: '600',
  IYS_SMS_CODE_TTL_S: '600',
  IYS_SMS_MAX_ATTEMPTS: '5',
  IYS_SMS_WINDOW_S: '3600',
  IYS_SMS_PER_NUMBER: '3',
  IYS_SMS_PER_IP: '10',
  IYS_SMS_GLOBAL: '300',
  IYS_SMS_DAILY: '1000',
  IYS_NOTICE_POLICY: 'record',
  IYS_READBACK: '1',
  IYS_CONFIRM_DELAY_MS: '60000',
  IYS_CONFIRM_WITHIN_MS: '3600000',
  IYS_READBACK_RATE: '5',
  IYS_SWEEP_AFTER_MS: '86400000',
  IYS_SWEEP_RATE: '1',
  IYS_FORM_TOKEN_TTL_S: '600',
} as const;

/** The sender the built-in sandbox uses when IYS_SMS_SENDER is not set, so the demo shows the code step. */
export const SANDBOX_SMS_SENDER = 'SANDBOX';

/** Values that must never appear in a message, even when malformed. */
const SECRET = new Set(['ILETIMERKEZI_API_KEY', 'ILETIMERKEZI_API_HASH', 'IYS_ADMIN_TOKEN', 'IYS_DATABASE_URL', 'IYS_FORM_TOKEN_SECRET']);

const MIN_ADMIN_TOKEN = 16;

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`);

const flag = z.enum(['0', '1'], { error: 'must be 0 or 1' }).transform((v) => v === '1');

const noControlChars = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);

const databaseUrl = z
  .string()
  .refine(noControlChars, 'must not hold control characters')
  .refine(
    (s) => (/^file:.+/.test(s)) || /^postgres(ql)?:\/\/.+/.test(s),
    'must be file:PATH (SQLite) or postgres://… (PostgreSQL)',
  )
  .refine((s) => !/^postgres/.test(s) || URL.canParse(s), 'is not a well-formed postgres:// URL');

const httpUrl = z
  .string()
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'must be an http:// or https:// URL')
  .transform((s) => s.replace(/\/+$/, ''));

const credential = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'is longer than 200 characters')
  .refine((s) => s === s.trim() && noControlChars(s), 'must not hold spaces around it or control characters');

const origins = z.string().transform((s, ctx) => {
  const list: string[] = [];
  for (const entry of s.split(',').map((e) => e.trim()).filter(Boolean)) {
    const url = URL.canParse(entry) ? new URL(entry) : null;
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== entry.replace(/\/$/, '').toLowerCase()) {
      ctx.addIssue({ code: 'custom', message: `must list origins like https://shop.example, comma-separated (bad entry ${quote(entry)})` });
      return z.NEVER;
    }
    list.push(url.origin);
  }
  return [...new Set(list)];
});

const envSchema = z.object({
  PORT: wholeNumber(0, 65535),
  HOST: z.string().min(1, 'must not be empty').refine(noControlChars, 'must not hold control characters'),
  IYS_DATABASE_URL: databaseUrl,
  ILETIMERKEZI_BASE_URL: httpUrl,
  ILETIMERKEZI_API_KEY: credential.optional(),
  ILETIMERKEZI_API_HASH: credential.optional(),
  IYS_BRAND_CODE: z.string().regex(/^\d{1,12}$/, 'must be the numeric İYS brand code').optional(),
  IYS_SANDBOX: flag,
  IYS_ALLOWED_ORIGINS: origins.optional(),
  IYS_ADMIN_TOKEN: credential
    .refine((s) => s.length >= MIN_ADMIN_TOKEN, `must be at least ${MIN_ADMIN_TOKEN} characters`)
    .optional(),
  IYS_FLUSH_MS: wholeNumber(0, 3_600_000),
  IYS_BATCH_MAX: wholeNumber(1, 5000),
  IYS_RATE_LIMIT: wholeNumber(0, 1_000_000),
  IYS_TRUST_PROXY: flag,
  // Beyond a day a "tolerated" client date could already be past the 72-hour deadline.
  IYS_CLOCK_TOLERANCE_S: wholeNumber(0, 86_400),
  // An SMS sender header (alphanumeric originator): 11 characters at most, approved for the account.
  IYS_SMS_SENDER: z.string().regex(/^[A-Za-z0-9 .-]{1,11}$/, 'must be an approved sender header: 1 to 11 letters, digits, spaces, dots or dashes').optional(),
  IYS_SMS_CODE_TTL_S: wholeNumber(60, 3600),
  IYS_SMS_MAX_ATTEMPTS: wholeNumber(1, 20),
  IYS_SMS_WINDOW_S: wholeNumber(60, 86_400),
  IYS_SMS_PER_NUMBER: wholeNumber(1, 100),
  IYS_SMS_PER_IP: wholeNumber(1, 100_000),
  IYS_SMS_GLOBAL: wholeNumber(1, 1_000_000),
  IYS_SMS_DAILY: wholeNumber(1, 10_000_000),
  IYS_NOTICE_POLICY: z.enum(['record', 'require'], { error: 'must be record or require' }),
  // Read-back (docs/contract.md): free look-ups with no side effects, so on unless switched off.
  IYS_READBACK: flag,
  IYS_CONFIRM_DELAY_MS: wholeNumber(0, 86_400_000),
  // Up to a day: a record flagged later could no longer be sent again before its 72-hour deadline.
  IYS_CONFIRM_WITHIN_MS: wholeNumber(1_000, 86_400_000),
  IYS_READBACK_RATE: wholeNumber(1, 100),
  // 0 switches the sweep off; at most 30 days between two looks at a key.
  IYS_SWEEP_AFTER_MS: wholeNumber(0, 2_592_000_000),
  IYS_SWEEP_RATE: wholeNumber(1, 100),
  // 32 characters at least: an HMAC key a guess cannot reach.
  IYS_FORM_TOKEN_SECRET: credential.refine((s) => s.length >= 32, 'must be at least 32 characters').optional(),
  IYS_FORM_TOKEN_TTL_S: wholeNumber(60, 86_400),
  IYS_ALLOW_NO_ORIGIN: flag.optional(),
});

/** Every variable the configuration reads, in the order of the contract's table. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as (keyof typeof envSchema.shape)[];

/** The iletiMerkezi account: required unless IYS_SANDBOX=1. */
export const ACCOUNT_VARIABLES = ['ILETIMERKEZI_API_KEY', 'ILETIMERKEZI_API_HASH', 'IYS_BRAND_CODE'] as const;

/** localhost, 127.0.0.0/8 or ::1: a request to it never leaves the machine. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function quote(value: string): string {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(shown);
}

/** Reads the configuration from an environment (process.env in main.ts, a plain object in tests). */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const input: Record<string, string | undefined> = {};
  for (const name of CONFIG_VARIABLES) {
    const raw = env[name];
    // An empty assignment (`IYS_RATE_LIMIT= npm run collector`) means "not set".
    input[name] = raw === undefined || raw === '' ? CONFIG_DEFAULTS[name as keyof typeof CONFIG_DEFAULTS] : raw;
  }
  const parsed = envSchema.safeParse(input);
  const problems: { variable: string; message: string }[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? '(environment)');
      const raw = input[variable];
      // The origins check names the bad entry itself.
      const echo = !SECRET.has(variable) && variable !== 'IYS_ALLOWED_ORIGINS' && raw !== undefined;
      const got = echo ? ` (got ${quote(raw)})` : '';
      problems.push({ variable, message: `${issue.message}${got}` });
    }
  }
  // Checked even when other values are bad, so that every problem is named at once.
  if (input.IYS_SANDBOX === '0') {
    // Without the sandbox the dispatcher talks to iletiMerkezi: it cannot start without these.
    for (const name of ACCOUNT_VARIABLES) {
      if (input[name] === undefined) problems.push({ variable: name, message: 'is required when IYS_SANDBOX is 0 (or set IYS_SANDBOX=1 for the built-in sandbox)' });
    }
    const base = httpUrl.safeParse(input.ILETIMERKEZI_BASE_URL);
    // The API key and hash ride in every request body: over http they would cross the network in clear.
    if (base.success && new URL(base.data).protocol === 'http:' && !isLoopback(new URL(base.data).hostname)) {
      problems.push({
        variable: 'ILETIMERKEZI_BASE_URL',
        message: `must be https:// when IYS_SANDBOX is 0: the API key and hash would travel in clear (http:// only for a loopback host such as 127.0.0.1) (got ${quote(base.data)})`,
      });
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems[0]!.variable, problems);
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.IYS_DATABASE_URL,
    iletimerkezi: { baseUrl: e.ILETIMERKEZI_BASE_URL, apiKey: e.ILETIMERKEZI_API_KEY ?? null, apiHash: e.ILETIMERKEZI_API_HASH ?? null },
    brandCode: e.IYS_BRAND_CODE ?? null,
    sandbox: e.IYS_SANDBOX,
    allowedOrigins: e.IYS_ALLOWED_ORIGINS ?? [],
    admin: { token: e.IYS_ADMIN_TOKEN ?? null },
    flushMs: e.IYS_FLUSH_MS,
    batchMax: e.IYS_BATCH_MAX,
    rateLimit: e.IYS_RATE_LIMIT,
    trustProxy: e.IYS_TRUST_PROXY,
    clockToleranceS: e.IYS_CLOCK_TOLERANCE_S,
    verification: {
      sender: e.IYS_SMS_SENDER ?? (e.IYS_SANDBOX ? SANDBOX_SMS_SENDER : null),
      codeTtlS: e.IYS_SMS_CODE_TTL_S,
      maxAttempts: e.IYS_SMS_MAX_ATTEMPTS,
      windowS: e.IYS_SMS_WINDOW_S,
      perNumber: e.IYS_SMS_PER_NUMBER,
      perIp: e.IYS_SMS_PER_IP,
      global: e.IYS_SMS_GLOBAL,
      daily: e.IYS_SMS_DAILY,
    },
    noticePolicy: e.IYS_NOTICE_POLICY,
    readback: e.IYS_READBACK
      ? {
          confirmDelayMs: e.IYS_CONFIRM_DELAY_MS, confirmWithinMs: e.IYS_CONFIRM_WITHIN_MS, ratePerS: e.IYS_READBACK_RATE,
          sweepAfterMs: e.IYS_SWEEP_AFTER_MS, sweepRatePerS: Math.min(e.IYS_SWEEP_RATE, e.IYS_READBACK_RATE),
        }
      : null,
    formToken: { key: e.IYS_FORM_TOKEN_SECRET ?? null, ttlS: e.IYS_FORM_TOKEN_TTL_S },
    // A post without Origin carries no form token: with tokens on, only the operator's say-so lets one in.
    allowNoOrigin: e.IYS_ALLOW_NO_ORIGIN ?? e.IYS_FORM_TOKEN_SECRET === undefined,
  };
}

/**
 * IYS_FLUSH_MS alone, for the import command: it fills the ledger a collector dispatches from, and
 * leaves that collector's flush window as headroom (sendability.ts) without needing its other settings.
 */
export function flushMsOf(env: Record<string, string | undefined>): number {
  const raw = env.IYS_FLUSH_MS || CONFIG_DEFAULTS.IYS_FLUSH_MS;
  const parsed = envSchema.shape.IYS_FLUSH_MS.safeParse(raw);
  if (!parsed.success) throw new ConfigError('IYS_FLUSH_MS', [{ variable: 'IYS_FLUSH_MS', message: `${parsed.error.issues[0]!.message} (got ${quote(raw)})` }]);
  return parsed.data;
}

/** A valid configuration for tests and tools: sandbox on, everything else at its default. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ IYS_SANDBOX: '1' }), ...overrides };
}
