// An SMTP server in the test process (smtp-server): keeps every message it accepts, and answers
// as a test tells it to (4xx, 5xx, a dropped connection) per message.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { parseSmtpUrl, type SmtpSettings } from '../src/email/smtp-settings.ts';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
  messageId: string;
}

/** What the server does with one message (after DATA): accept, refuse with a reply, or hang up. */
export type SinkAnswer = 'accept' | 'drop' | { code: number; message: string };

export interface MailSink {
  smtp: SmtpSettings;
  accepted: ReceivedMail[];
  /** Bytes of DATA received so far, from messages answered or not (one still held back counts). */
  dataBytes: number;
  /** SMTP connections the server has seen closed. */
  closed: number;
  /** SMTP connections open now, and the most that were open at once. */
  open: number;
  maxOpen: number;
  /** Server errors other than a client's reset (a test may assert there are none). */
  errors: Error[];
  /** Decides each message's answer; default accept. `attempt` counts this Message-ID's tries. */
  answer: (mail: ReceivedMail, attempt: number) => SinkAnswer;
  close(): Promise<void>;
}

function headerValue(raw: Buffer, name: string): string {
  const head = raw.toString('utf8', 0, Math.min(raw.length, 64 * 1024)).split(/\r?\n\r?\n/)[0] ?? '';
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head);
  return match?.[1]?.replace(/\r?\n[ \t]+/g, ' ').trim() ?? '';
}

export { headerValue };

export async function startMailSink(): Promise<MailSink> {
  const attempts = new Map<string, number>();
  const sink: MailSink = {
    smtp: undefined as unknown as SmtpSettings, // set below, once the port is known
    accepted: [],
    dataBytes: 0,
    closed: 0,
    open: 0,
    maxOpen: 0,
    errors: [],
    answer: () => 'accept',
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      sink.open += 1;
      sink.maxOpen = Math.max(sink.maxOpen, sink.open);
      callback();
    },
    onClose() {
      sink.closed += 1;
      sink.open -= 1;
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        chunks.push(c);
        sink.dataBytes += c.length;
      });
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          messageId: headerValue(raw, 'Message-ID'),
        };
        const attempt = (attempts.get(mail.messageId) ?? 0) + 1;
        attempts.set(mail.messageId, attempt);
        const answer = sink.answer(mail, attempt);
        if (answer === 'drop') {
          // Hang up before the reply: the client cannot know the message was not taken.
          // smtp-server keeps its connections (with their sessions and sockets) in a set.
          for (const c of server.connections as Set<{
            session?: { id: string };
            _socket?: { destroy(): void };
          }>)
            if (c.session?.id === session.id) c._socket?.destroy();
          return;
        }
        if (answer === 'accept') {
          sink.accepted.push(mail);
          callback(null, `Ok: queued as Q${sink.accepted.length}`);
          return;
        }
        const error = new Error(answer.message) as Error & { responseCode: number };
        error.responseCode = answer.code;
        callback(error);
      });
    },
  });
  // A client that dies mid-conversation (a worker killed with SIGKILL) resets its connection;
  // smtp-server reports that as an 'error' event on the server, which without a listener is an
  // uncaught exception in the test process. A reset is what the tests cause; anything else is not.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
    sink.errors.push(error);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  sink.smtp = parseSmtpUrl(`smtp://127.0.0.1:${port}`);
  return sink;
}
