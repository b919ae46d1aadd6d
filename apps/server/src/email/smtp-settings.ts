// KIZUNA_SMTP_URL and KIZUNA_INBOUND_SMTP_PORT, parsed once by config.ts.

/** Where mail goes out: the SMTP relay from KIZUNA_SMTP_URL. */
export interface SmtpSettings {
  /** The URL as given, with its password: only nodemailer sees it, never a log. */
  readonly url: string;
  /** The URL with the password replaced by `***`, for logs and the setup output. */
  readonly display: string;
  readonly host: string;
  readonly port: number;
  /**
   * `smtps://` is TLS from the first byte (port 465); `smtp://` upgrades with STARTTLS whenever
   * the server offers it, and with `?requireTLS=true` refuses a server that does not.
   */
  readonly secure: boolean;
  readonly requireTls: boolean;
  /**
   * The pool's connections to the relay (`?connections=N`, 1–50, default 5): the messages one
   * send has in flight, and so also the most a killed worker can leave accepted but unrecorded
   * (each is resent once, with the same Message-ID). Raise it for a relay that allows more
   * concurrent connections (a nearby relay with a slow disk, or a cloud relay over the internet).
   */
  readonly connections: number;
}

/** Connections to the relay when the URL does not say (`?connections=`). */
export const DEFAULT_SMTP_CONNECTIONS = 5;
const MAX_SMTP_CONNECTIONS = 50;

/** What the email channel needs at run time, handed to routes and jobs. */
export interface EmailRuntime {
  /** Absent: mail cannot be sent (sends wait, pending, until it is configured). */
  readonly smtp: SmtpSettings | undefined;
  /** Where unsubscribe and open-tracking links point (config.publicUrl). */
  readonly publicUrl: string;
}

/**
 * Parses an SMTP URL: `smtp://user:pass@host:587` (STARTTLS when offered), `smtps://…:465`
 * (implicit TLS). Throws a message naming what is wrong; config.ts adds the key.
 *
 * @example
 * parseSmtpUrl('smtp://kizuna:secret@mail.example.jp:587?requireTLS=true').requireTls // true
 * parseSmtpUrl('smtp://mail.example.jp:587?connections=10').connections // 10
 */
export function parseSmtpUrl(raw: string): SmtpSettings {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be a URL such as smtp://user:password@host:587');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new Error(`must start with smtp:// or smtps://, got ${url.protocol}//`);
  if (!url.hostname) throw new Error('names no host');
  const secure = url.protocol === 'smtps:';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const requireTls = url.searchParams.get('requireTLS') === 'true';
  const connectionsText = url.searchParams.get('connections');
  let connections = DEFAULT_SMTP_CONNECTIONS;
  if (connectionsText !== null) {
    connections = Number(connectionsText);
    if (!/^[0-9]+$/.test(connectionsText) || connections < 1 || connections > MAX_SMTP_CONNECTIONS)
      throw new Error(
        `?connections= must be a whole number from 1 to ${MAX_SMTP_CONNECTIONS}, got "${connectionsText}"`,
      );
  }
  const shown = new URL(url.href);
  if (shown.password) shown.password = '***';
  return Object.freeze({
    url: url.href,
    display: shown.href,
    host: url.hostname,
    port,
    secure,
    requireTls,
    connections,
  });
}
