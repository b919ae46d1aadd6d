// Common Japanese family and given names with their katakana readings, for the demo brand.
export const FAMILY_NAMES: readonly (readonly [string, string])[] = [
  ['佐藤', 'サトウ'],
  ['鈴木', 'スズキ'],
  ['高橋', 'タカハシ'],
  ['田中', 'タナカ'],
  ['伊藤', 'イトウ'],
  ['渡辺', 'ワタナベ'],
  ['山本', 'ヤマモト'],
  ['中村', 'ナカムラ'],
  ['小林', 'コバヤシ'],
  ['加藤', 'カトウ'],
  ['吉田', 'ヨシダ'],
  ['山田', 'ヤマダ'],
  ['佐々木', 'ササキ'],
  ['山口', 'ヤマグチ'],
  ['松本', 'マツモト'],
  ['井上', 'イノウエ'],
  ['木村', 'キムラ'],
  ['林', 'ハヤシ'],
  ['斎藤', 'サイトウ'],
  ['清水', 'シミズ'],
];

export const FEMALE_NAMES: readonly (readonly [string, string])[] = [
  ['花子', 'ハナコ'],
  ['陽菜', 'ヒナ'],
  ['結衣', 'ユイ'],
  ['美咲', 'ミサキ'],
  ['さくら', 'サクラ'],
  ['葵', 'アオイ'],
  ['凛', 'リン'],
  ['愛', 'アイ'],
  ['真由美', 'マユミ'],
  ['恵子', 'ケイコ'],
];

export const MALE_NAMES: readonly (readonly [string, string])[] = [
  ['太郎', 'タロウ'],
  ['翔太', 'ショウタ'],
  ['大輔', 'ダイスケ'],
  ['蓮', 'レン'],
  ['悠真', 'ユウマ'],
  ['健', 'ケン'],
  ['拓也', 'タクヤ'],
  ['誠', 'マコト'],
  ['陽翔', 'ハルト'],
  ['浩', 'ヒロシ'],
];

export const PREFECTURES: readonly (readonly [string, number])[] = [
  ['東京都', 55],
  ['神奈川県', 25],
  ['埼玉県', 8],
  ['千葉県', 7],
  ['大阪府', 3],
  ['北海道', 2],
];

export const INTERESTS = [
  'コーヒー豆',
  'スイーツ',
  'テイクアウト',
  'ワークスペース',
  'イベント',
  'ギフト',
] as const;
