// Reading what comes back to a VERP return path: delivery status notifications (RFC 3464) and
// abuse reports (ARF, RFC 5965), parsed with mailparser.
import { simpleParser } from 'mailparser';

/** What a report says about the message it is about. */
export type Feedback =
  | { kind: 'hard_bounce' | 'soft_bounce'; detail: string }
  | { kind: 'complaint'; detail: string };

function field(text: string, name: string): string | undefined {
  return new RegExp(`^${name}:[ \\t]*(.+)$`, 'im').exec(text)?.[1]?.trim();
}

/**
 * Classifies a report. A DSN whose Action is `failed` with a 5.x.x Status is a hard bounce;
 * `delayed`, or `failed` with 4.x.x, is soft (the mailbox may come back). An ARF report of type
 * abuse (or fraud, virus: anything but `not-spam`) is a complaint. Anything else, such as an
 * auto-reply or a `delivered` DSN, is undefined: it changes nothing.
 *
 * mailparser merges the text parts of a report (the human part, message/delivery-status,
 * message/feedback-report) into `text`; the fields are read from there and from any textual
 * attachment.
 */
export async function readFeedbackReport(raw: Buffer): Promise<Feedback | undefined> {
  const mail = await simpleParser(raw, { skipHtmlToText: true, skipImageLinks: true });
  const type = mail.headers.get('content-type') as
    | { value?: string; params?: Record<string, string> }
    | undefined;
  const reportType = type?.params?.['report-type']?.toLowerCase();
  const text = [
    mail.text ?? '',
    ...mail.attachments
      .filter((a) => /^(message|text)\//.test(a.contentType))
      .map((a) => a.content.toString('utf8')),
  ].join('\n');
  if (reportType === 'feedback-report' || field(text, 'Feedback-Type')) {
    const feedbackType = field(text, 'Feedback-Type')?.toLowerCase() ?? 'abuse';
    if (feedbackType === 'not-spam') return undefined;
    return {
      kind: 'complaint',
      detail: `ARF ${feedbackType}${field(text, 'User-Agent') ? ` from ${field(text, 'User-Agent')}` : ''}`,
    };
  }
  const action = field(text, 'Action')?.toLowerCase();
  const status = field(text, 'Status');
  if (reportType !== 'delivery-status' && !action) return undefined;
  const diagnostic = field(text, 'Diagnostic-Code') ?? '';
  const detail = `${status ?? '?'} ${diagnostic}`.trim().slice(0, 500);
  if (action === 'failed' && status?.startsWith('5')) return { kind: 'hard_bounce', detail };
  if (action === 'failed' || action === 'delayed') return { kind: 'soft_bounce', detail };
  return undefined;
}
