// A local SMTP sink for the email benchmark, in its own process: accepts every message, counts
// them (and repeated Message-IDs), prints its port, and answers `stats` on stdin with the counts.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

let accepted = 0;
const seen = new Set<string>();
let duplicates = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    let head = '';
    stream.on('data', (chunk: Buffer) => {
      if (head.length < 8192) head += chunk.toString('latin1');
    });
    stream.on('end', () => {
      const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1];
      if (id) {
        if (seen.has(id)) duplicates++;
        seen.add(id);
      }
      accepted++;
      callback(null, `Ok: queued as B${accepted}`);
    });
  },
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.server.address() as AddressInfo).port}\n`);
});
process.stdin.on('data', () => process.stdout.write(`${JSON.stringify({ accepted, duplicates })}\n`));
process.stdin.on('end', () => server.close(() => process.exit(0)));
