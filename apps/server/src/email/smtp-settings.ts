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
}

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
  const shown = new URL(url.href);
  if (shown.password) shown.password = '***';
  return Object.freeze({ url: url.href, display: shown.href, host: url.hostname, port, secure, requireTls });
}
