import { defineMessages } from '../i18n/messages.ts';

export const shellMessages = defineMessages(
  {
    loading: '読み込み中…',
    errorTitle: 'データを読み込めませんでした',
    retry: '再読み込み',
    notFound: 'ページが見つかりません',
    backHome: 'ダッシュボードへ戻る',
    forbidden: 'この画面を開く権限がありません（{role}）',
    menu: 'メニュー',
  },
  {
    loading: 'Loading…',
    errorTitle: 'Could not load the data',
    retry: 'Retry',
    notFound: 'Page not found',
    backHome: 'Back to the dashboard',
    forbidden: 'Your role ({role}) cannot open this screen',
    menu: 'Menu',
  },
);
