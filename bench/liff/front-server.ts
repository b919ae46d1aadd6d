// The bench's own little web server on loopback, for what Kizuna itself does not serve:
// - `/static/card`: the baseline, the card page as the app rendered it (HTML with its stylesheet,
//   no script), so a cold load of it costs the network and the HTML's parse and paint alone;
// - `/liff/<liffId>` (with `--before DIR`): an earlier build of the app, its assets from DIR at
//   /liff/assets/ as Kizuna serves them (the build's chunks name that path), and its API calls
//   passed through to the Kizuna server, so both builds load in one run.
// Assets are sent gzipped when asked, as Kizuna's static-assets.ts sends them.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

interface Body {
  type: string;
  plain: Buffer;
  gzip: Buffer;
}

const body = (type: string, plain: Buffer): Body => ({ type, plain, gzip: gzipSync(plain) });

/** index.html and assets/* of a built LIFF app, keyed by the path they are served at under `prefix`. */
function readBuild(dist: string, prefix: string): Map<string, Body> {
  const files = new Map<string, Body>();
  // The build's index.html names its assets at /liff/assets/…; under the prefix they move with it.
  const html = readFileSync(join(dist, 'index.html'), 'utf8').replaceAll(
    '/liff/assets/',
    `${prefix}/liff/assets/`,
  );
  files.set(`${prefix}/liff/index.html`, body(TYPES['.html'] as string, Buffer.from(html)));
  for (const name of readdirSync(join(dist, 'assets'))) {
    const type = TYPES[extname(name)];
    if (type)
      files.set(`${prefix}/liff/assets/${name}`, body(type, readFileSync(join(dist, 'assets', name))));
  }
  return files;
}

export interface FrontServer {
  url: string;
  /** Sets the baseline page's HTML (a snapshot of the rendered card, scripts removed). */
  setStaticCard(html: string): void;
  close(): Promise<void>;
}

export async function startFrontServer(options: {
  /** The current build (its stylesheet is the static page's). */
  dist: string;
  /** An earlier build to serve under /before, or undefined. */
  beforeDist: string | undefined;
  /** The Kizuna server, where /before's API calls go. */
  kizunaUrl: string;
}): Promise<FrontServer> {
  const files = readBuild(options.dist, '/static');
  if (options.beforeDist) for (const [path, file] of readBuild(options.beforeDist, '')) files.set(path, file);
  const kizuna = new URL(options.kizunaUrl);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/v1/')) {
      const upstream = forward(
        { host: kizuna.hostname, port: kizuna.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
      return;
    }
    const file =
      files.get(path) ??
      (path.startsWith('/liff/') && !path.includes('/assets/') ? files.get('/liff/index.html') : undefined);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    res.writeHead(200, {
      'content-type': file.type,
      'cache-control': 'no-cache',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(gzip ? file.gzip : file.plain);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setStaticCard(html) {
      files.set('/static/card', body(TYPES['.html'] as string, Buffer.from(html)));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
