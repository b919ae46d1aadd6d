import { useEffect, useState } from 'react';
import { CardScreen } from '../card/card-screen.tsx';
import { CouponsScreen } from '../coupons/coupons-screen.tsx';
import { initialLanguage, type Language, MESSAGES } from '../i18n/messages.ts';
import { InsertClaimScreen } from '../insert/insert-claim-screen.tsx';
import { launchParams } from '../insert/launch-params.ts';
import { PointsScreen } from '../points/points-screen.tsx';
import { PROFILE_MESSAGES } from '../profile/profile-messages.ts';
import { ProfileScreen } from '../profile/profile-screen.tsx';
import { SurveyForm } from '../profile/survey-form.tsx';
import { OutsideLine } from '../sign-in/outside-line.tsx';
import { useMemberSession } from '../sign-in/use-member-session.ts';

type Tab = 'card' | 'points' | 'coupons' | 'profile';

/**
 * Signs the member in (or, outside LINE, offers LINE Login), asks the first-open survey, then
 * shows the card, points, coupons and profile behind a bottom tab bar.
 */
export function App() {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [phase, setPhase] = useMemberSession();
  const [tab, setTab] = useState<Tab>('card');
  const [linkedNotice, setLinkedNotice] = useState(false);
  // An insert QR (?insert=, a packing slip) opens its claim screen first (insert/), until the
  // member is done with it.
  const [insertDone, setInsertDone] = useState(false);
  const t = MESSAGES[language];
  const p = PROFILE_MESSAGES[language];

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = t.appTitle;
  }, [language, t]);

  const show = (next: Tab) => {
    setLinkedNotice(false);
    setInsertDone(true);
    setTab(next);
  };
  const tabs: [Tab, string][] = [
    ['card', t.tabCard],
    ['points', t.tabPoints],
    ['coupons', t.tabCoupons],
    ['profile', p.tabProfile],
  ];
  const ready = phase.kind === 'ready';
  // A member who scanned a packing slip came for the order's coupon: the claim comes first, then
  // (on a first open) the survey, then the card.
  const signedIn = ready || phase.kind === 'survey';
  // The query is read once signed in (inside LINE, liff.init restores it from liff.state first),
  // in the same render that shows the card: an effect would cost the card a frame and a render.
  const insert = signedIn && !insertDone ? launchParams().insert : undefined;
  const home = ready && insert === undefined;
  return (
    <div className="app">
      <header className="top">
        <h1>{t.appTitle}</h1>
        <button type="button" className="link" onClick={() => setLanguage(language === 'ja' ? 'en' : 'ja')}>
          {t.language}
        </button>
      </header>
      <main>
        {phase.kind === 'signing-in' && (
          <p className="notice" aria-busy="true">
            {t.signingIn}
          </p>
        )}
        {phase.kind === 'failed' && (
          <p className="notice" role="alert">
            {t.signInFailed}
          </p>
        )}
        {insert !== undefined && (
          <InsertClaimScreen token={insert} language={language} onDone={() => setInsertDone(true)} />
        )}
        {phase.kind === 'expired' && (
          <div className="screen">
            <p className="notice" role="alert">
              {t.sessionExpired}
            </p>
            <button type="button" className="button" onClick={() => globalThis.location.reload()}>
              {t.retry}
            </button>
          </div>
        )}
        {phase.kind === 'outside-line' && <OutsideLine language={language} onLogin={phase.login} />}
        {phase.kind === 'survey' && insert === undefined && (
          <SurveyForm t={t} language={language} mode="first" onSaved={() => setPhase({ kind: 'ready' })} />
        )}
        {ready && linkedNotice && (
          <p className="form-ok banner" role="status">
            {p.linked}
          </p>
        )}
        {home && tab === 'card' && <CardScreen t={t} />}
        {home && tab === 'points' && <PointsScreen t={t} language={language} />}
        {home && tab === 'coupons' && <CouponsScreen t={t} language={language} />}
        {home && tab === 'profile' && (
          <ProfileScreen
            t={t}
            language={language}
            onLinked={() => {
              setTab('card');
              setLinkedNotice(true);
            }}
          />
        )}
      </main>
      {ready && (
        <nav className="tabs" aria-label={t.appTitle}>
          {tabs.map(([value, label]) => (
            <button
              key={value}
              type="button"
              aria-current={tab === value ? 'page' : undefined}
              onClick={() => show(value)}
            >
              {label}
            </button>
          ))}
        </nav>
      )}
    </div>
  );
}
