import pino, { type Logger } from 'pino';
import { serializeError, serializeRequest } from './log-serializers.ts';

/** Keys that hold secrets or a customer's contact details, at the top of a log line or one level in. */
const SENSITIVE_KEYS = [
  'password',
  'currentPassword',
  'newPassword',
  'ownerPassword',
  'passwordHash',
  'password_hash',
  'apiKey',
  'token',
  'csrfToken',
  'channelSecret',
  'channelAccessToken',
  'smtpPassword',
  'smtpUrl',
  'dkimPrivateKey',
  'email',
  'ownerEmail',
  'phone',
  'lineUserId',
];

/**
 * Paths that may hold secrets or personal data. pino replaces them with "[redacted]" wherever
 * they appear in a log line, so a careless `log.info({ body })` cannot leak a password, API key,
 * LINE secret or a customer's email. (`*.key` matches one level down only, hence both forms.)
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-line-signature"]',
  'res.headers["set-cookie"]',
  ...SENSITIVE_KEYS.flatMap((key) => [key, `*.${key}`]),
];

/**
 * The process's JSON logger. Every logger Kizuna makes descends from one of these (Fastify's
 * request loggers and the job loggers are its children), so all share the redaction and the
 * serializers that keep SQL parameters and query strings out of the log.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { app: 'kizuna' },
      serializers: { err: serializeError, req: serializeRequest },
    },
    destination,
  );
}
