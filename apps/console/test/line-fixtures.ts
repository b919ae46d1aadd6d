// What the LINE browser tests share: a port for the real server, and a real PNG for a rich menu.
import { createServer } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';

/** A free port on 127.0.0.1 for the server the browser talks to. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A real PNG (the browser draws it in the preview), one colour per tap area of a 3×2 menu. */
export function menuPng(width: number, height: number): Buffer {
  const colours = [
    [0xb5, 0x39, 0x4c],
    [0xe8, 0x9f, 0x3c],
    [0x2e, 0x7d, 0x5b],
    [0x3a, 0x6e, 0xa5],
    [0x7a, 0x4e, 0x9c],
    [0x5b, 0x5b, 0x5b],
  ] as const;
  const row = Buffer.alloc(1 + width * 3);
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = colours[Math.min(2, Math.floor((x * 3) / width)) + (y * 2 >= height ? 3 : 0)]!;
      row.set(c, 1 + x * 3);
    }
    rows.push(Buffer.from(row));
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
