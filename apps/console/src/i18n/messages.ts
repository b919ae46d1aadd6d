// Every string the console shows lives in a message table per language, defined per capability
// folder with defineMessages. The English table must have exactly the Japanese table's keys: a
// missing or extra key is a type error, so a screen cannot ship half translated.

export type Lang = 'ja' | 'en';
export const LANGS: readonly Lang[] = ['ja', 'en'];

/** Both languages' tables of one folder, keyed alike. */
export type Messages<K extends string> = Readonly<Record<Lang, Readonly<Record<K, string>>>>;

/**
 * Declares one folder's strings; `{name}` placeholders are filled by `t(key, { name })`.
 * @example
 * const messages = defineMessages({ title: '顧客' }, { title: 'Customers' });
 */
export function defineMessages<const J extends Record<string, string>>(
  ja: J,
  en: { readonly [K in keyof J]: string },
): Messages<keyof J & string> {
  return { ja, en } as Messages<keyof J & string>;
}

/** Fills `{name}` placeholders; a placeholder without a value stays visible rather than vanishing. */
export function fill(template: string, vars?: Readonly<Record<string, string | number>>): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
