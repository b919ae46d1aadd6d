import type { Language } from '../i18n/messages.ts';

const ja = {
  title: 'スタンプカード',
  rewardMark: '特典',
  progress: (stamps: number, required: number) => `スタンプ ${stamps} / ${required} 個`,
  untilReward: (left: number) => `あと ${left} 個で特典がもらえます`,
  allRewards: 'このカードの特典はすべて受け取り済みです',
  loadFailed: 'スタンプカードを読み込めませんでした。',
};

export type StampMessages = typeof ja;

const en: StampMessages = {
  title: 'Stamp cards',
  rewardMark: 'Gift',
  progress: (stamps, required) => `${stamps} of ${required} stamps`,
  untilReward: (left) => `${left} more ${left === 1 ? 'stamp' : 'stamps'} to your next reward`,
  allRewards: 'You have received every reward on this card',
  loadFailed: 'Could not load your stamp cards.',
};

export const STAMP_MESSAGES: Record<Language, StampMessages> = { ja, en };
