import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import { messagingApi } from '@line/bot-sdk';
import type { LineSandbox } from '../src/index.ts';

export function client(sandbox: LineSandbox, token = 'test-token'): messagingApi.MessagingApiClient {
  return new messagingApi.MessagingApiClient({ channelAccessToken: token, baseURL: sandbox.url });
}

export interface CapturedWebhook {
  rawBody: string;
  headers: IncomingHttpHeaders;
  body: { destination: string; events: Record<string, unknown>[] };
}

/** A webhook target that records raw bodies; `respond` chooses each status (200 by default). */
export async function startWebhookReceiver(respond: (n: number) => number = () => 200) {
  const requests: CapturedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      requests.push({ rawBody, headers: req.headers, body: JSON.parse(rawBody) });
      res.writeHead(respond(requests.length)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/line/webhook`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A real (all-black, greyscale) PNG of the given size. */
export function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(0, 9); // greyscale
  const raw = Buffer.alloc((width + 1) * height);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const text = (t: string) => ({ type: 'text' as const, text: t });
