import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * One JSON line per event. Credentials are censored wherever they appear, and callers log
 * recipients only through maskRecipient(): a full phone number never reaches a log line.
 */

/** Keys whose value is a credential, wherever a log line holds them. */
export const CREDENTIAL_KEYS: ReadonlySet<string> = new Set(['key', 'hash', 'apiKey', 'apiHash', 'token', 'authorization', 'password']);
const CENSOR = '[redacted]';
/** How deep into a line's objects keys are looked at: `req.headers.authorization` is two levels down. */
const DEPTH = 2;

/** A plain object or array: what a log line is made of (an Error or a Date is the serializer's business). */
function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === Array.prototype || proto === null;
}

/**
 * The line with every credential censored: a key of CREDENTIAL_KEYS, and `authentication` under a
 * `request` (iletiMerkezi's request body), at the top or up to two levels down. The line is copied
 * only where it holds one. pino's path redaction did the same by cloning and walking every line
 * for each path, and cost a consent more than its validation (docs/performance.md).
 */
export function censorCredentials<T extends Record<string, unknown>>(line: T, depth = 0, parentKey = ''): T {
  let out = line;
  for (const key of Object.keys(line)) {
    const value = line[key];
    let censored: unknown = value;
    if (value !== undefined && (CREDENTIAL_KEYS.has(key) || (key === 'authentication' && parentKey === 'request'))) censored = CENSOR;
    else if (depth < DEPTH && isPlain(value)) censored = censorCredentials(value, depth + 1, key);
    if (censored !== value) {
      if (out === line) out = (Array.isArray(line) ? [...line] : { ...line }) as T;
      (out as Record<string, unknown>)[key] = censored;
    }
  }
  return out;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** LOG_LEVEL as the operator set it: empty counts as unset (like every other setting); an unknown level is refused by name. */
export function logLevelOf(value: string | undefined): string {
  const level = value?.trim() || 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}: got "${level}"`);
  return level;
}

export function createLogger(opts: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? logLevelOf(process.env.LOG_LEVEL),
    base: { service: 'iys-consent' },
    formatters: { log: censorCredentials },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Written synchronously: pino's default stdout stream writes asynchronously and flushes at exit
  // with a loop that retries a closed pipe forever (EPIPE), so a collector whose log reader died
  // would never stop on SIGTERM. A synchronous write meets the closed pipe at once, and pino then
  // stops logging instead.
  const logger = pino(options, opts.destination ?? pino.destination({ dest: 1, sync: true }));
  // A child's bindings are written once, when it is made, and pass through no log formatter: censor
  // them there. Children inherit this `child`, so theirs are censored too.
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, censorCredentials(bindings), childOptions);
  } as Logger['child'];
  return logger;
}

/** A logger that writes nothing, for tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
