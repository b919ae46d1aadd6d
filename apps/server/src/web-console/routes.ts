import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
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

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

interface Asset {
  type: string;
  body: Buffer;
  /** Text assets gzipped once at start-up (the scripts shrink to about a third). */
  gzip?: Buffer;
}

/** The build's assets, read once: a build is a few MB and never changes under a running server. */
function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(`${dir}/${name}`);
    assets.set(name, { type, body, ...(type.startsWith('text/') ? { gzip: gzipSync(body) } : {}) });
  }
  return assets;
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset) {
  // Names carry a content hash: a new build has new names, so a file can be cached for good.
  reply.header('cache-control', 'public, max-age=31536000, immutable').header('vary', 'accept-encoding');
  reply.type(asset.type);
  const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  if (asset.gzip && acceptsGzip) return reply.header('content-encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}

/**
 * The console's page and assets. index.html is revalidated on every load so a new build is
 * picked up at once; every other GET outside the server's paths answers it too, and the
 * console's router takes over (/customers/12 opened from a bookmark). Routes are marked
 * `consolePage`: they get the console's CSP, and the 405 index ignores them (http/route-index.ts).
 */
export function registerWebConsoleRoutes(app: App, _deps?: RouteDeps, dist = CONSOLE_DIST): void {
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
