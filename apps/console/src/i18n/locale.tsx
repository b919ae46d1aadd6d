import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { fill, type Lang, type Messages } from './messages.ts';

interface LocaleState {
  lang: Lang;
  setLang(lang: Lang): void;
}

const LocaleContext = createContext<LocaleState>({ lang: 'ja', setLang: () => {} });
const STORAGE_KEY = 'kizuna.lang';

function initialLang(): Lang {
  // Japanese first: English only when the user chose it.
  return globalThis.localStorage?.getItem(STORAGE_KEY) === 'en' ? 'en' : 'ja';
}

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    document.documentElement.lang = next;
    setLangState(next);
  }, []);
  const value = useMemo(() => ({ lang, setLang }), [lang, setLang]);
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export function useLocale(): LocaleState {
  return useContext(LocaleContext);
}

/** The translate function of one folder's messages in the current language. */
export function useT<K extends string>(messages: Messages<K>) {
  const { lang } = useLocale();
  return useCallback(
    (key: K, vars?: Readonly<Record<string, string | number>>) => fill(messages[lang][key], vars),
    [messages, lang],
  );
}
