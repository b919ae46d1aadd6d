// Every string the member sees, in Japanese first and English. `Messages` is the Japanese
// table's type, so a key missing from the English table is a build error.
const ja = {
  appTitle: '会員証',
  signingIn: 'ログインしています…',
  signInFailed: 'ログインできませんでした。LINEアプリから開き直してください。',
  sessionExpired: 'セッションの有効期限が切れました。もう一度お試しください。',
  retry: 'もう一度試す',
  tabCard: '会員証',
  tabPoints: 'ポイント',
  tabCoupons: 'クーポン',
  memberNo: '会員番号',
  tier: 'ランク',
  noTier: '一般会員',
  points: 'ポイント',
  pointsUnit: 'pt',
  qrAlt: '会員証のQRコード（レジで読み取ってください）',
  qrHint: 'お会計の際にレジでこのQRコードをご提示ください',
  qrValidUntil: (time: string) => `${time} まで有効`,
  qrCannotRefresh: 'QRコードを更新できません。通信環境をご確認のうえ、再読み込みしてください。',
  qrExpired: 'このQRコードは有効期限が切れたため表示できません。',
  loading: '読み込み中…',
  loadFailed: '読み込めませんでした。',
  balance: '保有ポイント',
  expiringSoon: '有効期限が近いポイント',
  expiringOn: (points: number, date: string) => `${formatCount(points)} pt が ${date} に失効します`,
  noneExpiring: '近く失効するポイントはありません',
  history: 'ポイント履歴',
  noHistory: 'まだ履歴はありません',
  more: 'さらに表示',
  kind: {
    earn: '獲得',
    redeem: '利用',
    expire: '失効',
    adjust: '調整',
    reverse: '取消',
    void: '取消',
    merge: '統合',
  } as Record<string, string>,
  couponUsable: '使えるクーポン',
  couponUsed: '使用済み',
  couponExpired: '期限切れ',
  noCoupons: 'クーポンはありません',
  couponValidUntil: (date: string) => `${date} まで`,
  couponNoLimit: '期限なし',
  couponUsedOn: (date: string) => `${date} に使用`,
  couponShow: '使う',
  couponClose: '閉じる',
  couponCode: 'クーポンコード',
  couponHint: 'レジでこの画面をご提示ください',
  couponQrAlt: (code: string) => `クーポン ${code} のQRコード`,
  minSpend: (yen: string) => `${yen}以上のお会計で利用可`,
  amountOff: (yen: string) => `${yen}引き`,
  percentOff: (percent: number) => `${percent}%引き`,
  freeItem: (item: string) => `${item}無料`,
  language: 'English',
};

export type Messages = typeof ja;

const en: Messages = {
  appTitle: 'Membership card',
  signingIn: 'Signing in…',
  signInFailed: 'Could not sign in. Please open this again from the LINE app.',
  sessionExpired: 'Your session has expired. Please try again.',
  retry: 'Try again',
  tabCard: 'Card',
  tabPoints: 'Points',
  tabCoupons: 'Coupons',
  memberNo: 'Member no.',
  tier: 'Tier',
  noTier: 'Regular member',
  points: 'Points',
  pointsUnit: 'pt',
  qrAlt: 'Membership QR code (scan at the till)',
  qrHint: 'Show this QR code at the till when you pay',
  qrValidUntil: (time: string) => `Valid until ${time}`,
  qrCannotRefresh: 'The QR code cannot be refreshed. Check your connection and reload.',
  qrExpired: 'This QR code has expired and cannot be shown.',
  loading: 'Loading…',
  loadFailed: 'Could not load.',
  balance: 'Points balance',
  expiringSoon: 'Points expiring soon',
  expiringOn: (points: number, date: string) => `${formatCount(points)} pt expire on ${date}`,
  noneExpiring: 'No points expire soon',
  history: 'History',
  noHistory: 'No history yet',
  more: 'Show more',
  kind: {
    earn: 'Earned',
    redeem: 'Used',
    expire: 'Expired',
    adjust: 'Adjusted',
    reverse: 'Reversed',
    void: 'Voided',
    merge: 'Merged',
  },
  couponUsable: 'Usable',
  couponUsed: 'Used',
  couponExpired: 'Expired',
  noCoupons: 'No coupons',
  couponValidUntil: (date: string) => `Until ${date}`,
  couponNoLimit: 'No expiry',
  couponUsedOn: (date: string) => `Used on ${date}`,
  couponShow: 'Use',
  couponClose: 'Close',
  couponCode: 'Coupon code',
  couponHint: 'Show this screen at the till',
  couponQrAlt: (code: string) => `QR code of coupon ${code}`,
  minSpend: (yen: string) => `For bills of ${yen} or more`,
  amountOff: (yen: string) => `${yen} off`,
  percentOff: (percent: number) => `${percent}% off`,
  freeItem: (item: string) => `Free ${item}`,
  language: '日本語',
};

export type Language = 'ja' | 'en';
export const MESSAGES: Record<Language, Messages> = { ja, en };

/** Japanese unless the browser (LINE's language) prefers English. */
export function initialLanguage(): Language {
  return globalThis.navigator?.language?.startsWith('en') ? 'en' : 'ja';
}

const LOCALE: Record<Language, string> = { ja: 'ja-JP', en: 'en-GB' };

export function formatDate(iso: string, language: Language): string {
  return new Date(iso).toLocaleDateString(LOCALE[language], { timeZone: 'Asia/Tokyo' });
}

// The card's first render formats a number and a time without Intl: a phone's first Intl call
// loads ICU's data, measured at 120–130 ms with the CPU slowed 4× (bench/liff/HISTORY.md, run 4),
// a tenth of the card's budget. Both locales write the same digits here; the tests compare these
// with Intl's.

/** Hours and minutes in Japan's time (UTC+9, no daylight saving), as `HH:mm` in either language. */
export function formatTime(iso: string): string {
  const jst = new Date(Date.parse(iso) + 9 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(jst.getUTCHours())}:${pad(jst.getUTCMinutes())}`;
}

/** An integer with thousands separators (`12,345`), as ja-JP and English write it. */
export function formatCount(n: number): string {
  const digits = String(Math.abs(Math.trunc(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${digits}` : digits;
}

export function formatYen(amount: number, language: Language): string {
  return new Intl.NumberFormat(LOCALE[language], { style: 'currency', currency: 'JPY' }).format(amount);
}
