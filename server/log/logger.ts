import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * One JSON line per event. Credentials are redacted by path wherever they appear, and callers
 * log recipients only through maskRecipient(): a full phone number never reaches a log line.
 */
export const REDACT_PATHS = [
  'key', 'hash', 'apiKey', 'apiHash', 'token', 'authorization', 'password',
  '*.key', '*.hash', '*.apiKey', '*.apiHash', '*.token', '*.authorization', '*.password',
  'request.authentication', '*.request.authentication', 'headers.authorization', 'req.headers.authorization',
];

export function createLogger(opts: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: 'iys-consent' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that writes nothing, for tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
