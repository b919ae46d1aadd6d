// A LINE flex message that shows a coupon: plain JSON in LINE's flex format
// (https://developers.line.biz/en/reference/messaging-api/#flex-message). The LINE channel
// sends it; this module only builds it.
import type { CouponKind } from './coupons.ts';

export interface FlexCoupon {
  code: string;
  name: string;
  description?: string;
  kind: CouponKind;
  value: number;
  free_item: string | null;
  min_spend: number;
  valid_until: Date | null;
}

export interface FlexOptions {
  shopName?: string;
  /** An image shown on top (https URL), e.g. the shop's coupon artwork. */
  imageUrl?: string;
  /** Where the button leads (a LIFF page that shows the member card and this coupon). */
  actionUrl?: string;
}

/** "¥300 OFF", "10% OFF", "ドリンク1杯無料". */
export function couponHeadline(c: Pick<FlexCoupon, 'kind' | 'value' | 'free_item'>): string {
  if (c.kind === 'amount_off') return `¥${c.value.toLocaleString('ja-JP')} OFF`;
  if (c.kind === 'percent_off') return `${c.value}% OFF`;
  return `${c.free_item ?? ''} 無料`;
}

function jstDate(d: Date): string {
  const jst = new Date(d.getTime() + 9 * 3_600_000);
  return `${jst.getUTCFullYear()}年${jst.getUTCMonth() + 1}月${jst.getUTCDate()}日`;
}

export function buildCouponFlexMessage(coupon: FlexCoupon, options: FlexOptions = {}) {
  const headline = couponHeadline(coupon);
  const details = [
    coupon.min_spend > 0 ? `¥${coupon.min_spend.toLocaleString('ja-JP')}以上のお買い上げで利用可` : undefined,
    coupon.valid_until ? `有効期限: ${jstDate(coupon.valid_until)}まで` : undefined,
  ].filter((s): s is string => Boolean(s));
  return {
    type: 'flex' as const,
    altText: `${options.shopName ? `${options.shopName}: ` : ''}${coupon.name} ${headline}`.slice(0, 400),
    contents: {
      type: 'bubble',
      ...(options.imageUrl
        ? {
            hero: {
              type: 'image',
              url: options.imageUrl,
              size: 'full',
              aspectRatio: '20:13',
              aspectMode: 'cover',
            },
          }
        : {}),
      body: {
        type: 'box',
        layout: 'vertical',
        spacing: 'md',
        contents: [
          ...(options.shopName
            ? [{ type: 'text', text: options.shopName, size: 'sm', color: '#888888' }]
            : []),
          { type: 'text', text: coupon.name, weight: 'bold', size: 'lg', wrap: true },
          { type: 'text', text: headline, weight: 'bold', size: 'xxl', color: '#D33F49' },
          ...(coupon.description ? [{ type: 'text', text: coupon.description, size: 'sm', wrap: true }] : []),
          ...details.map((text) => ({ type: 'text', text, size: 'xs', color: '#666666', wrap: true })),
          { type: 'separator', margin: 'lg' },
          { type: 'text', text: 'クーポンコード', size: 'xs', color: '#888888', margin: 'lg' },
          { type: 'text', text: coupon.code, size: 'xl', weight: 'bold', align: 'center' },
        ],
      },
      ...(options.actionUrl
        ? {
            footer: {
              type: 'box',
              layout: 'vertical',
              contents: [
                {
                  type: 'button',
                  style: 'primary',
                  action: { type: 'uri', label: '会員証を表示', uri: options.actionUrl },
                },
              ],
            },
          }
        : {}),
    },
  };
}
