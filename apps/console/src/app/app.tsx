import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import jaJP from 'antd/locale/ja_JP';
import { lazy, Suspense } from 'react';
import { BrowserRouter } from 'react-router';
import { ApiError } from '../api/client.ts';
import { SessionProvider, useSession } from '../auth/session.tsx';
import { LocaleProvider, useLocale } from '../i18n/locale.tsx';
import { Loading } from './states.tsx';

// A Japanese font stack first (system fonts, then Noto), so kana and kanji never fall back to a
// Chinese glyph variant; Latin text uses the same fonts.
const FONT =
  '"Hiragino Kaku Gothic ProN", "Hiragino Sans", "BIZ UDPGothic", Meiryo, "Noto Sans CJK JP", "Noto Sans JP", system-ui, sans-serif';

// Ant Design's grey secondary text (45% black) falls below WCAG AA's 4.5:1 on white; these
// shades pass it, so notes under figures stay readable for every shop owner.
const THEME = {
  fontFamily: FONT,
  colorPrimary: '#b5394c',
  // Links in the brand's red, dark enough for 4.5:1 (antd's default blue link is 4.1:1).
  colorLink: '#9e2a3c',
  colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
  colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
  colorTextDescription: 'rgba(0, 0, 0, 0.65)',
  colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
  // No sliding or fading for people who asked their system for less motion.
  motion: !globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches,
};

// The login page and the signed-in shell load apart: a visitor who is not logged in does not
// fetch the menu, tables and pages' shared code, and a logged-in one not the login form.
const LoginPage = lazy(() => import('../auth/login-page.tsx').then((m) => ({ default: m.LoginPage })));
const Shell = lazy(() => import('./shell.tsx').then((m) => ({ default: m.Shell })));
const NoWorkspace = lazy(() => import('./no-workspace.tsx').then((m) => ({ default: m.NoWorkspace })));

const queryClient: QueryClient = new QueryClient({
  defaultOptions: {
    // A 4xx will not change on retry; a network blip or a 5xx may.
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 1,
    },
  },
  // A session that ended (expired, revoked, logged out elsewhere) answers 401: back to the login
  // page instead of an error on every card.
  queryCache: new QueryCache({
    onError: (error) => {
      if (error instanceof ApiError && error.status === 401) queryClient.setQueryData(['session'], null);
    },
  }),
});

function Gate() {
  const { session, workspace } = useSession();
  if (session === undefined) return <Loading />;
  if (session === null)
    return (
      <Suspense fallback={<Loading />}>
        <LoginPage />
      </Suspense>
    );
  if (!workspace)
    return (
      <Suspense fallback={<Loading />}>
        <NoWorkspace />
      </Suspense>
    );
  return (
    <Suspense fallback={<Loading />}>
      <Shell />
    </Suspense>
  );
}

function Themed() {
  const { lang } = useLocale();
  return (
    // autoInsertSpace off: Ant Design spaces two-kanji labels (保 存) the Chinese way; Japanese does not.
    <ConfigProvider
      locale={lang === 'ja' ? jaJP : enUS}
      theme={{ token: THEME }}
      button={{ autoInsertSpace: false }}
    >
      <AntApp>
        <SessionProvider>
          <Gate />
        </SessionProvider>
      </AntApp>
    </ConfigProvider>
  );
}

export function ConsoleApp() {
  return (
    <QueryClientProvider client={queryClient}>
      <LocaleProvider>
        <BrowserRouter>
          <Themed />
        </BrowserRouter>
      </LocaleProvider>
    </QueryClientProvider>
  );
}
