import { useEffect, useState } from 'react';
import { CardScreen } from '../card/card-screen.tsx';
import { CouponsScreen } from '../coupons/coupons-screen.tsx';
import { initialLanguage, type Language, MESSAGES } from '../i18n/messages.ts';
import { InsertClaimScreen } from '../insert/insert-claim-screen.tsx';
import { launchParams } from '../insert/launch-params.ts';
import { PointsScreen } from '../points/points-screen.tsx';
import { liffIdFromPath, signIn } from '../sign-in/liff-sign-in.ts';

type Tab = 'card' | 'points' | 'coupons';
type Phase = 'signing-in' | 'ready' | 'failed';

/** Signs the member in, then shows the card, points and coupons behind a bottom tab bar. */
export function App() {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [phase, setPhase] = useState<Phase>('signing-in');
  const [tab, setTab] = useState<Tab>('card');
  // An insert QR (?insert=, a packing slip) opens its claim screen first (insert/).
  const [insert, setInsert] = useState<string | undefined>();
  const t = MESSAGES[language];

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = t.appTitle;
  }, [language, t]);

  useEffect(() => {
    const liffId = liffIdFromPath(globalThis.location.pathname);
    if (!liffId) {
      setPhase('failed');
      return;
    }
    signIn(liffId, launchParams).then(
      (session) => {
        if (!session) return;
        setInsert(launchParams().insert);
        setPhase('ready');
      },
      (error: unknown) => {
        console.error(error);
        setPhase('failed');
      },
    );
  }, []);

  const tabs: [Tab, string][] = [
    ['card', t.tabCard],
    ['points', t.tabPoints],
    ['coupons', t.tabCoupons],
  ];
  return (
    <div className="app">
      <header className="top">
        <h1>{t.appTitle}</h1>
        <button type="button" className="link" onClick={() => setLanguage(language === 'ja' ? 'en' : 'ja')}>
          {t.language}
        </button>
      </header>
      <main>
        {phase === 'signing-in' && <p className="notice">{t.signingIn}</p>}
        {phase === 'failed' && (
          <p className="notice" role="alert">
            {t.signInFailed}
          </p>
        )}
        {phase === 'ready' && insert !== undefined && (
          <InsertClaimScreen token={insert} language={language} onDone={() => setInsert(undefined)} />
        )}
        {phase === 'ready' && insert === undefined && tab === 'card' && (
          <CardScreen t={t} language={language} />
        )}
        {phase === 'ready' && insert === undefined && tab === 'points' && (
          <PointsScreen t={t} language={language} />
        )}
        {phase === 'ready' && insert === undefined && tab === 'coupons' && (
          <CouponsScreen t={t} language={language} />
        )}
      </main>
      {phase === 'ready' && (
        <nav className="tabs" aria-label={t.appTitle}>
          {tabs.map(([value, label]) => (
            <button
              key={value}
              type="button"
              aria-current={tab === value ? 'page' : undefined}
              onClick={() => {
                setInsert(undefined);
                setTab(value);
              }}
            >
              {label}
            </button>
          ))}
        </nav>
      )}
    </div>
  );
}
