// The insert QR claim screen's strings (同梱物), Japanese first. Kept beside the screen rather
// than in i18n/messages.ts; `InsertMessages` is the Japanese table's type, so a key missing from
// the English table is a build error, as there.
const ja = {
  title: 'ご注文との連携',
  intro:
    '同梱のQRコードからご注文を会員情報につなげます。ご本人確認のため、ご注文時のメールアドレスか電話番号の下4桁を入力してください。',
  byEmail: 'メールアドレス',
  byPhone: '電話番号の下4桁',
  emailLabel: 'ご注文時のメールアドレス',
  phoneLabel: 'ご注文時の電話番号の下4桁',
  submit: '連携して特典を受け取る',
  submitting: '確認しています…',
  claimed: (order: string) => `ご注文 ${order} を会員情報につなげました。`,
  couponGranted: (name: string) => `クーポン「${name}」をお届けしました。クーポン画面からご利用ください。`,
  noCoupon: '特典のクーポンはありません。',
  alreadyClaimed: (order: string) =>
    `ご注文 ${order} はすでに連携済みです。特典はご注文ごとに1回のみのため、今回はお届けできません。`,
  mismatch: 'メールアドレスまたは電話番号の下4桁がご注文の内容と一致しません。',
  locked:
    '入力の誤りが続いたため、このご注文の確認を一時的に停止しています。明日以降にもう一度お試しください。',
  badCode: 'このQRコードは読み取れませんでした。同梱の用紙のQRコードをもう一度読み取ってください。',
  noProof: 'このご注文には確認できる連絡先がありません。お手数ですがショップへお問い合わせください。',
  failed: '連携できませんでした。通信環境をご確認のうえ、もう一度お試しください。',
  toCard: '会員証を見る',
};

export type InsertMessages = typeof ja;

const en: InsertMessages = {
  title: 'Link your order',
  intro:
    'Link the order from the QR code in your parcel to your membership. To confirm it is yours, enter the email address or the last 4 digits of the phone number you ordered with.',
  byEmail: 'Email address',
  byPhone: 'Last 4 phone digits',
  emailLabel: 'Email address used for the order',
  phoneLabel: 'Last 4 digits of the phone number used for the order',
  submit: 'Link and get the reward',
  submitting: 'Checking…',
  claimed: (order: string) => `Order ${order} is now linked to your membership.`,
  couponGranted: (name: string) => `Your coupon "${name}" has arrived: find it under Coupons.`,
  noCoupon: 'This order comes with no coupon.',
  alreadyClaimed: (order: string) =>
    `Order ${order} has already been linked. The reward is given once per order, so none was given this time.`,
  mismatch: 'The email address or the last 4 phone digits do not match the order.',
  locked: 'Too many wrong entries: this order cannot be checked for now. Please try again tomorrow.',
  badCode: 'This QR code could not be read. Please scan the code on the slip in your parcel again.',
  noProof: 'This order has no contact details to check. Please contact the shop.',
  failed: 'Could not link the order. Check your connection and try again.',
  toCard: 'Show my card',
};

export const INSERT_MESSAGES = { ja, en } as const;
