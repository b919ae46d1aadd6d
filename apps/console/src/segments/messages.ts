import { defineMessages } from '../i18n/messages.ts';

export const segmentMessages = defineMessages(
  {
    title: 'セグメント',
    name: '名前',
    description: '説明',
    members: '人数',
    template: 'テンプレート',
    timeBased: '毎日再評価',
    evaluatedAt: '最終評価',
    notEvaluated: '未評価',
    empty: 'セグメントがまだありません',
    emptyNext:
      'テンプレート（初回購入、常連、休眠 180 日、誕生月、VIP など）から API（POST /v1/segments）で作成すると、ここに人数が表示されます。',
    total: '{count} 件のセグメント',
  },
  {
    title: 'Segments',
    name: 'Name',
    description: 'Description',
    members: 'Members',
    template: 'Template',
    timeBased: 'Re-evaluated daily',
    evaluatedAt: 'Last evaluated',
    notEvaluated: 'Not yet',
    empty: 'No segments yet',
    emptyNext:
      'Create one from a template (first purchase, regulars, lapsed 180 days, birthday month, VIP…) through the API (POST /v1/segments); its size appears here.',
    total: '{count} segments',
  },
);
