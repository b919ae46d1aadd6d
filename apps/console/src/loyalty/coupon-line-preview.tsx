// The coupon as a LINE friend sees it: a local render of the flex bubble the server builds
// (apps/server/src/loyalty/coupon-flex.ts: shop name, coupon name, the headline in red, the
// description, minimum spend and expiry in small grey, then the code), inside a LINE-like chat.
// The message itself is Japanese whatever the console's language, as the server sends it.
import { Typography } from 'antd';
import { useT } from '../i18n/locale.tsx';
import { editMessages } from './edit-messages.ts';

export interface CouponPreviewFields {
  shopName?: string;
  name: string;
  description?: string;
  kind: 'amount_off' | 'percent_off' | 'free_item';
  value?: number;
  freeItem?: string;
  minSpend?: number;
  /** The expiry shown: a fixed end, or the issue day + validDays. */
  validUntil?: string;
}

/** "¥300 OFF", "10% OFF", "ドリンク1杯 無料": the server's couponHeadline. */
export function couponHeadline(c: Pick<CouponPreviewFields, 'kind' | 'value' | 'freeItem'>): string {
  if (c.kind === 'amount_off') return `¥${(c.value ?? 0).toLocaleString('ja-JP')} OFF`;
  if (c.kind === 'percent_off') return `${c.value ?? 0}% OFF`;
  return `${c.freeItem ?? ''} 無料`;
}

function jstDate(iso: string): string {
  const d = new Date(Date.parse(iso) + 9 * 3_600_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

export function CouponLinePreview({ coupon }: { coupon: CouponPreviewFields }) {
  const t = useT(editMessages);
  const details = [
    coupon.minSpend && coupon.minSpend > 0
      ? `¥${coupon.minSpend.toLocaleString('ja-JP')}以上のお買い上げで利用可`
      : null,
    coupon.validUntil ? `有効期限: ${jstDate(coupon.validUntil)}まで` : null,
  ].filter((s): s is string => s !== null);
  return (
    <figure aria-label={t('preview')} style={{ margin: 0 }}>
      <div style={{ background: '#8cabd9', borderRadius: 12, padding: '16px 12px', maxWidth: 340 }}>
        <div
          lang="ja"
          style={{
            background: '#fff',
            borderRadius: 16,
            padding: 16,
            boxShadow: '0 1px 2px rgba(0,0,0,.15)',
          }}
        >
          {coupon.shopName && <div style={{ fontSize: 13, color: '#6b6b6b' }}>{coupon.shopName}</div>}
          <div style={{ fontSize: 18, fontWeight: 700, wordBreak: 'break-word' }}>{coupon.name || '—'}</div>
          <div
            style={{ fontSize: 30, fontWeight: 700, color: '#c8323d', margin: '6px 0' }}
            data-testid="coupon-headline"
          >
            {couponHeadline(coupon)}
          </div>
          {coupon.description && (
            <div style={{ fontSize: 13, wordBreak: 'break-word' }}>{coupon.description}</div>
          )}
          {details.map((d) => (
            <div key={d} style={{ fontSize: 12, color: '#595959' }}>
              {d}
            </div>
          ))}
          <hr style={{ border: 0, borderTop: '1px solid #e5e5e5', margin: '14px 0' }} />
          <div style={{ fontSize: 12, color: '#6b6b6b' }}>クーポンコード</div>
          <div style={{ fontSize: 20, fontWeight: 700, textAlign: 'center', letterSpacing: 1 }}>
            XXXX-XXXX-XXXX
          </div>
        </div>
      </div>
      <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>
        {t('previewNote')}
      </Typography.Text>
    </figure>
  );
}
