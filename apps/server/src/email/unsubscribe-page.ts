// The unsubscribe pages: Japanese first, English after, no script, no external resources.

const page = (title: string, body: string) =>
  `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.7}` +
  `button{font-size:1rem;padding:.6rem 1.4rem}</style></head><body>${body}</body></html>`;

/** The page a GET shows: it changes nothing until the button is pressed. */
export function confirmPage(token: string): string {
  return page(
    '配信停止 / Unsubscribe',
    `<h1>メール配信の停止 / Unsubscribe</h1>` +
      `<p>このボタンを押すと、今後のお知らせメールは届かなくなります。</p>` +
      `<p>Press the button to stop receiving marketing emails from us.</p>` +
      `<form method="post" action="/u/${token}"><input type="hidden" name="List-Unsubscribe" value="One-Click">` +
      `<input type="hidden" name="source" value="page"><button type="submit">配信を停止する / Unsubscribe</button></form>`,
  );
}

export function donePage(): string {
  return page(
    '配信を停止しました / Unsubscribed',
    `<h1>配信を停止しました</h1><p>今後、お知らせメールはお送りしません。ご注文などの確認メールは引き続き届きます。</p>` +
      `<p lang="en">You have been unsubscribed. You will get no more marketing emails; order confirmations still arrive.</p>`,
  );
}

export function invalidPage(): string {
  return page(
    'リンクが無効です / Invalid link',
    `<h1>リンクが無効です</h1><p>このリンクは使えません。メール本文のリンクをもう一度お試しください。</p>` +
      `<p lang="en">This link is not valid. Please try the link in the email again.</p>`,
  );
}
