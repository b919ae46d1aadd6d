import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { pathOf } from '../http/security-headers.ts';
import { LIFF_DIST, registerLiffAppRoutes } from './liff-app-routes.ts';
import { readAssets, sendAsset } from './static-assets.ts';

/** Where `node apps/console/build/build-console.ts` (run by the `kizuna` script) puts the console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

/**
 * Paths that belong to the server, never to the console's client routes: an unknown one there is
 * the API's JSON 404 (or 405), not the console's page.
 */
// Under /line the server has only LINE's webhook; the console's LINE pages (/line,
// /line/rich-menus/new) are client routes that a reload or a bookmark must open.
const SERVER_PATHS = /^\/(v1|docs|health|liff|line\/webhook)(\/|$)/;

const NOT_BUILT =
  'Kizuna: the web console is not built. Run ./kizuna start (it builds it), or node apps/console/build/build-console.ts.\n' +
  'Kizuna：管理画面がビルドされていません。./kizuna start を実行してください。\n';

/**
 * The console's page and assets. index.html is revalidated on every load so a new build is
 * picked up at once; every other GET outside the server's paths answers it too, and the
 * console's router takes over (/customers/12 opened from a bookmark). Routes are marked
 * `consolePage`: they get the console's CSP, and the 405 index ignores them (http/route-index.ts).
 */
export function registerWebConsoleRoutes(
  app: App,
  _deps?: RouteDeps,
  dist = CONSOLE_DIST,
  liffDist = LIFF_DIST,
): void {
  registerLiffAppRoutes(app, liffDist);
  const indexFile = `${dist}index.html`;
  const index = existsSync(indexFile) ? readFileSync(indexFile) : undefined;
  const assets = readAssets(`${dist}assets`);
  const options = { schema: { hide: true }, config: { consolePage: true } };
  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    if (SERVER_PATHS.test(pathOf(request))) return reply.callNotFound();
    if (!index) return reply.status(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index);
  };
  app.get('/', options, page);
  app.get('/*', options, page);
  app.get<{ Params: { file: string } }>('/assets/:file', options, async (request, reply) => {
    const asset = assets.get(request.params.file);
    return asset ? sendAsset(request, reply, asset) : reply.callNotFound();
  });
}
