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

/** One year, as browsers' preload lists expect. */
export const HSTS = 'max-age=31536000; includeSubDomains';

export interface SecurityHeadersOptions {
  /** Kizuna is served over https (secure cookies): browsers must not fall back to http. */
  https: boolean;
  /** Where Swagger UI is served. */
  docsPrefix: string;
}

/** The headers of one response; `scoped` when the route needs authentication. */
export type SecurityHeaders = (path: string, scoped: boolean) => Record<string, string>;

/**
 * No MIME sniffing, no framing, no referrer, a CSP, HSTS under https, and `Cache-Control:
 * no-store` on the API (`/v1`) and every authenticated route, whose answers are customer data
 * or a session's tokens that no browser or proxy cache should keep.
 */
export function securityHeaders(options: SecurityHeadersOptions): SecurityHeaders {
  return (path, scoped) => {
    const docs = path === options.docsPrefix || path.startsWith(`${options.docsPrefix}/`);
    return {
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'content-security-policy': docs ? DOCS_CSP : API_CSP,
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
    reply.headers(headers(pathOf(request), Boolean(request.routeOptions.config?.scope)));
    return payload;
  });
}
