import pino, { type Logger } from 'pino';

/**
 * Paths that may hold secrets. pino replaces them with "[redacted]" wherever they appear in a log
 * line, so a careless `log.info({ body })` cannot leak a password, API key or LINE secret.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-line-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.ownerPassword',
  '*.apiKey',
  '*.token',
  '*.channelSecret',
  '*.channelAccessToken',
  '*.smtpPassword',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { app: 'kizuna' } },
    destination,
  );
}
