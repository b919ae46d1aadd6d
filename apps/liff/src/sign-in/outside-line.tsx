import { useState } from 'react';
import type { Language } from '../i18n/messages.ts';
import '../profile/profile.css';

const TEXT = {
  ja: {
    title: 'LINEアプリで開いてください',
    body: 'この会員証はLINEアプリの中で使うページです。スマートフォンのLINEアプリから開くと、すぐに会員証が表示されます。',
    other: 'パソコンや他のブラウザでご覧の場合は、LINEでログインしてください。',
    login: 'LINEでログイン',
    loggingIn: 'LINEに移動しています…',
  },
  en: {
    title: 'Please open this in the LINE app',
    body: 'This membership card works inside the LINE app. Open it from LINE on your phone to see your card.',
    other: 'On a computer or another browser, log in with LINE.',
    login: 'Log in with LINE',
    loggingIn: 'Going to LINE…',
  },
} satisfies Record<Language, Record<string, string>>;

/** Shown when the page is opened outside LINE's app and the visitor is not logged in with LINE. */
export function OutsideLine({ language, onLogin }: { language: Language; onLogin: () => void }) {
  const text = TEXT[language];
  const [busy, setBusy] = useState(false);
  return (
    <section className="screen outside">
      <div className="panel">
        <h2>{text.title}</h2>
        <p>{text.body}</p>
        <p className="muted">{text.other}</p>
        <button
          type="button"
          className="button line-login"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            onLogin();
          }}
        >
          {busy ? text.loggingIn : text.login}
        </button>
      </div>
    </section>
  );
}
