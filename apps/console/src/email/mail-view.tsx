// A mail as the previews show it: the address, the subject, and the HTML part in a sandboxed frame
// (without remote stylesheets) or the text part. Used by the template list and the editor.
import { Tabs, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useT } from '../i18n/locale.tsx';
import { templateMessages } from './messages.ts';

/** What the preview shows: the template as written, or as one customer would get it. */
export interface Shown {
  to?: string | null;
  subject: string;
  html: string;
  text: string;
}

/**
 * The mail's HTML without its remote stylesheets (MJML links Google Fonts' Ubuntu): the console's
 * CSP, which a srcdoc frame inherits, refuses them anyway, and each refusal is a console error.
 * The text falls back to the font stack the template names, as in most Japanese mail apps.
 */
export function withoutRemoteStyles(html: string): string {
  return html
    .replace(/<link\b[^>]*>/gi, (tag) =>
      /\bstylesheet\b/i.test(tag) && /\bhref=["']?https?:/i.test(tag) ? '' : tag,
    )
    .replace(/@import\s+url\(\s*["']?https?:[^)]*\)\s*;?/gi, '');
}

/** `to` replaces the address line's value (the editor's sample customer has no address). */
export function MailView({ shown, title, to }: { shown: Shown; title: string; to?: ReactNode }) {
  const t = useT(templateMessages);
  return (
    <>
      {(to !== undefined || shown.to !== undefined) && (
        <Typography.Paragraph style={{ marginBottom: 4 }}>
          <strong>{t('to')}：</strong>
          {to ?? shown.to ?? <Typography.Text type="secondary">{t('noAddress')}</Typography.Text>}
        </Typography.Paragraph>
      )}
      <Typography.Paragraph>
        <strong>{t('subject')}：</strong>
        {shown.subject}
      </Typography.Paragraph>
      <Tabs
        items={[
          {
            key: 'html',
            label: t('htmlTab'),
            children: (
              // sandbox="": no script, no form, no navigation of the console from the mail's HTML.
              <iframe
                title={title}
                sandbox=""
                srcDoc={withoutRemoteStyles(shown.html)}
                style={{ width: '100%', height: 560, border: '1px solid #d9d9d9', borderRadius: 6 }}
              />
            ),
          },
          {
            key: 'text',
            label: t('textTab'),
            children: (
              <pre style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit', margin: 0 }}>{shown.text}</pre>
            ),
          },
        ]}
      />
    </>
  );
}
