import { Segmented } from 'antd';
import { useLocale } from '../i18n/locale.tsx';
import type { Lang } from '../i18n/messages.ts';

/** 日本語 | English, each named in its own language so either reader finds theirs. */
export function LanguageSwitch() {
  const { lang, setLang } = useLocale();
  return (
    <Segmented<Lang>
      size="small"
      aria-label="言語 / Language"
      value={lang}
      onChange={setLang}
      options={[
        { label: <span lang="ja">日本語</span>, value: 'ja' },
        { label: <span lang="en">English</span>, value: 'en' },
      ]}
    />
  );
}
