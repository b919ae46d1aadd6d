import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../http/route-deps.ts';
import { readAssets, sendAsset } from './static-assets.ts';

/** Where `node apps/liff/build/build-liff.ts` (run by the `kizuna` script) puts the LIFF app. */
export const LIFF_DIST = fileURLToPath(new URL('../../../liff/dist/', import.meta.url));

const NOT_BUILT =
  'Kizuna: the LIFF member app is not built. Run ./kizuna start (it builds it), or node apps/liff/build/build-liff.ts.\n' +
  'Kizuna：LIFFアプリがビルドされていません。./kizuna start を実行してください。\n';

/**
 * The LIFF member app at /liff/: the endpoint URL a shop sets in the LINE Developers console is
 * `https://<kizuna>/liff/<liffId>`, so every GET under /liff answers the app's page (the app reads
 * the LIFF id from the path), and /liff/assets/:file its hashed assets. Marked
 * `consolePage: 'liff'`: the LIFF CSP, and the 405 index ignores them as it does the console's.
 */
export function registerLiffAppRoutes(app: App, dist = LIFF_DIST): void {
  const indexFile = `${dist}index.html`;
  const index = existsSync(indexFile) ? readFileSync(indexFile) : undefined;
  const assets = readAssets(`${dist}assets`);
  const options = { schema: { hide: true }, config: { consolePage: 'liff' as const } };
  const page = async (_request: FastifyRequest, reply: FastifyReply) => {
    if (!index) return reply.status(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index);
  };
  app.get('/liff', options, page);
  app.get('/liff/*', options, page);
  app.get<{ Params: { file: string } }>('/liff/assets/:file', options, async (request, reply) => {
    const asset = assets.get(request.params.file);
    return asset ? sendAsset(request, reply, asset) : reply.callNotFound();
  });
}
