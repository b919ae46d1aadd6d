// The hashed assets of a built web app (the console's, the LIFF app's): read once, served with
// long caching and gzip.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export interface Asset {
  type: string;
  body: Buffer;
  /** Text assets gzipped once at start-up (the scripts shrink to about a third). */
  gzip?: Buffer;
}

/**
 * Assets already read by this process, by path, with the size and time of the file they were read
 * from. Gzipping the console's 2.5 MB costs about 70 ms of CPU; a process that builds the app many
 * times (the test suite builds it a few hundred times in one worker) reads and gzips each file once.
 */
const readBefore = new Map<string, { size: number; mtimeMs: number; asset: Asset }>();

/** The build's assets, read once: a build is a few MB and never changes under a running server. */
export function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const path = `${dir}/${name}`;
    const { size, mtimeMs } = statSync(path);
    const before = readBefore.get(path);
    if (before && before.size === size && before.mtimeMs === mtimeMs) {
      assets.set(name, before.asset);
      continue;
    }
    const body = readFileSync(path);
    const asset = { type, body, ...(type.startsWith('text/') ? { gzip: gzipSync(body) } : {}) };
    readBefore.set(path, { size, mtimeMs, asset });
    assets.set(name, asset);
  }
  return assets;
}

export function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset) {
  // Names carry a content hash: a new build has new names, so a file can be cached for good.
  reply.header('cache-control', 'public, max-age=31536000, immutable').header('vary', 'accept-encoding');
  reply.type(asset.type);
  const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  if (asset.gzip && acceptsGzip) return reply.header('content-encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}
