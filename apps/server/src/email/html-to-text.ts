// The plain-text part of an email, generated from its HTML: clients that show text (and spam
// filters that compare the parts) get the same words, links spelled out.

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  nbsp: ' ',
  apos: "'",
};

/**
 * Reduces HTML to readable text: head, style and comments dropped, block ends and <br> as line
 * breaks, a link as "text (url)", entities decoded, blank runs collapsed.
 *
 * @example
 * htmlToText('<p>ご来店<a href="https://x.jp">予約</a></p>') // 'ご来店予約 (https://x.jp)'
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<head[\s\S]*?<\/head>/gi, '')
    .replace(/<(style|script)[\s\S]*?<\/\1>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_m, href: string, label: string) => {
      const text = label.replace(/<[^>]+>/g, '').trim();
      return text && text !== href ? `${text} (${href})` : href;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|tr|li|table|section)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#?\w+);/g, (m, name: string) => ENTITIES[name] ?? numericEntity(name) ?? m)
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function numericEntity(name: string): string | undefined {
  const code = /^#x[0-9a-f]{1,6}$/i.test(name)
    ? Number.parseInt(name.slice(2), 16)
    : /^#[0-9]{1,7}$/.test(name)
      ? Number(name.slice(1))
      : Number.NaN;
  return code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}
