import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { pathOf } from '../http/security-headers.ts';

/** Where `node apps/console/build/build-console.ts` (run by the `kizuna` script) puts the console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

/**
 * Paths that belong to the server, never to the console's client routes: an unknown one there is
 * the API's JSON 404 (or 405), not the console's page.
 */
const SERVER_PATHS = /^\/(v1|docs|health|line)(\/|$)/;

const NOT_BUILT =
  'Kizuna: the web console is not built. Run ./kizuna start (it builds it), or node apps/console/build/build-console.ts.\n' +
  'Kizuna：管理画面がビルドされていません。./kizuna start を実行してください。\n';

/**
 * The console's files and its client-side routes. Hashed assets under /assets/ are cached for a
 * year (a new build has new names); index.html is revalidated on every load so a new build is
 * picked up at once. Every other GET outside the server's paths answers index.html, where the
 * console's router takes over (/customers/12 opened from a bookmark).
 */
export function registerWebConsoleRoutes(app: App, _deps?: RouteDeps, dist = CONSOLE_DIST): void {
  const indexFile = `${dist}index.html`;
  const index = existsSync(indexFile) ? readFileSync(indexFile) : undefined;
  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    if (SERVER_PATHS.test(pathOf(request))) return reply.callNotFound();
    if (!index) return reply.status(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index);
  };
  const options = { schema: { hide: true }, config: { consolePage: true } };
  app.get('/', options, page);
  app.get('/*', options, page);
  if (!index) return;
  app.register(fastifyStatic, {
    root: `${dist}assets`,
    prefix: '/assets/',
    index: false,
    maxAge: '365d',
    immutable: true,
    // Files are only ever the build's own; no directory listings, no dotfiles.
    list: false,
    dotfiles: 'deny',
  });
}
