import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * API responses are JSON that no browser should render, frame or run: nothing may load from them.
 */
export const API_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Swagger UI at /docs loads its scripts, styles and the OpenAPI document from Kizuna itself and
 * calls the API from the page ("Try it out"); it has no inline scripts (the initializer is a
 * file), and React sets styles through the DOM, which style-src does not restrict.
 */
export const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self' data:; form-action 'self'; " +
  "frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; " +
  "script-src-attr 'none'; style-src 'self'";

/**
 * The web console (apps/console) loads its scripts and styles from Kizuna and calls the API from
 * the page. Ant Design writes its styles into <style> elements at run time (CSS-in-JS), which
 * needs 'unsafe-inline' for styles only; scripts stay 'self' with no inline script, so injected
 * markup still cannot run code. ECharts draws on canvas; antd's icons are inline SVG.
 */
export const CONSOLE_CSP =
  "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self' data:; form-action 'self'; " +
  "frame-ancestors 'none'; img-src 'self' data: blob:; object-src 'none'; script-src 'self'; " +
  "script-src-attr 'none'; style-src 'self' 'unsafe-inline'";

/**
 * The LIFF member app (apps/liff, at /liff/) runs inside LINE's in-app browser: its scripts and
 * styles come from Kizuna (no inline script, no inline style element), it calls the API and
 * LINE's own hosts, which the LIFF SDK calls from liff.init (api.line.me, access.line.me), and it
 * draws its QR codes as SVG. LINE opens it as a page, never in a frame.
 */
export const LIFF_CSP =
  "default-src 'self'; base-uri 'self'; connect-src 'self' https://api.line.me https://access.line.me; " +
  "font-src 'self'; form-action 'self'; frame-ancestors 'none'; img-src 'self' data: https://profile.line-scdn.net; " +
  "object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self'";

/** One year, as browsers' preload lists expect. */
export const HSTS = 'max-age=31536000; includeSubDomains';

export interface SecurityHeadersOptions {
  /** Kizuna is served over https (secure cookies): browsers must not fall back to http. */
  https: boolean;
  /** Where Swagger UI is served. */
  docsPrefix: string;
}

/**
 * The headers of one response; `scoped` when the route needs authentication, `consolePage` when
 * it answers with the console's HTML (routes marked `config.consolePage`).
 */
export type SecurityHeaders = (
  path: string,
  scoped: boolean,
  consolePage?: boolean | 'liff',
) => Record<string, string>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route serves the web console's page, which gets the console's CSP (CONSOLE_CSP), or
     * (`'liff'`) the LIFF member app's, which gets LIFF_CSP.
     */
    consolePage?: boolean | 'liff';
  }
}

/**
 * No MIME sniffing, no framing, no referrer, a CSP, HSTS under https, and `Cache-Control:
 * no-store` on the API (`/v1`) and every authenticated route, whose answers are customer data
 * or a session's tokens that no browser or proxy cache should keep.
 */
export function securityHeaders(options: SecurityHeadersOptions): SecurityHeaders {
  return (path, scoped, consolePage = false) => {
    const docs = path === options.docsPrefix || path.startsWith(`${options.docsPrefix}/`);
    return {
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'content-security-policy':
        consolePage === 'liff' ? LIFF_CSP : consolePage ? CONSOLE_CSP : docs ? DOCS_CSP : API_CSP,
      ...(options.https ? { 'strict-transport-security': HSTS } : {}),
      ...(path.startsWith('/v1/') || scoped ? { 'cache-control': 'no-store' } : {}),
    };
  };
}

/** The request's path, without the query string. */
export function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? '';
}

/**
 * Puts the headers on every response, errors included. Install it before any plugin that
 * registers routes: hooks reach the plugins registered after them.
 */
export function installSecurityHeaders(app: FastifyInstance, headers: SecurityHeaders): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const config = request.routeOptions.config;
    const page = config?.consolePage === 'liff' ? 'liff' : Boolean(config?.consolePage);
    reply.headers(headers(pathOf(request), Boolean(config?.scope), page));
    return payload;
  });
}
