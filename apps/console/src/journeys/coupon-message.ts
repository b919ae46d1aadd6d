// A coupon as a LINE message: the flex bubble the server builds for a coupon
// (apps/server/src/loyalty/coupon-flex.ts: the coupon's name, the headline in red, the description,
// minimum spend and validity in small grey, then the code), made from a coupon template chosen in
// the step form. The code is the customer's newest coupon (`{{ coupon.code }}`), so the message
// belongs after the step that grants it. Japanese, as the server's coupon messages are.

export interface CouponChoice {
  id: number;
  name: string;
  description?: string;
  kind: 'amount_off' | 'percent_off' | 'free_item';
  value: number;
  freeItem: string | null;
  minSpend: number;
  validUntil: string | null;
  validDays: number | null;
}

/** "¥300 OFF", "10% OFF", "ドリンク1杯 無料": the server's couponHeadline (pure here, for the tests). */
function couponHeadline(c: CouponChoice): string {
  if (c.kind === 'amount_off') return `¥${c.value.toLocaleString('ja-JP')} OFF`;
  if (c.kind === 'percent_off') return `${c.value}% OFF`;
  return `${c.freeItem ?? ''} 無料`;
}

function jstDate(iso: string): string {
  const d = new Date(Date.parse(iso) + 9 * 3_600_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

/** Liquid for the code: the customer's newest coupon, or where to find it when they have none. */
const CODE = '{% if coupon %}{{ coupon.code }}{% else %}会員証でご確認ください{% endif %}';

export function couponFlexMessage(coupon: CouponChoice): Record<string, unknown> {
  const headline = couponHeadline(coupon);
  const details = [
    coupon.minSpend > 0 ? `¥${coupon.minSpend.toLocaleString('ja-JP')}以上のお買い上げで利用可` : null,
    coupon.validUntil
      ? `有効期限: ${jstDate(coupon.validUntil)}まで`
      : coupon.validDays
        ? `有効期限: お受け取りから${coupon.validDays}日間`
        : null,
  ].filter((s): s is string => s !== null);
  return {
    type: 'flex',
    altText: `${coupon.name} ${headline}`.slice(0, 400),
    contents: {
      type: 'bubble',
      body: {
        type: 'box',
        layout: 'vertical',
        spacing: 'md',
        contents: [
          { type: 'text', text: coupon.name, weight: 'bold', size: 'lg', wrap: true },
          { type: 'text', text: headline, weight: 'bold', size: 'xxl', color: '#D33F49' },
          ...(coupon.description ? [{ type: 'text', text: coupon.description, size: 'sm', wrap: true }] : []),
          ...details.map((text) => ({ type: 'text', text, size: 'xs', color: '#666666', wrap: true })),
          { type: 'separator', margin: 'lg' },
          { type: 'text', text: 'クーポンコード', size: 'xs', color: '#888888', margin: 'lg' },
          { type: 'text', text: CODE, size: 'xl', weight: 'bold', align: 'center', wrap: true },
        ],
      },
    },
  };
}
