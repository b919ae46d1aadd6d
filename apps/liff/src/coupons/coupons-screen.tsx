import type { paths } from '@kizuna/contracts';
import { useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { useLoad } from '../app/use-load.ts';
import { QrCode } from '../card/qr-code.tsx';
import { formatDate, formatYen, type Language, type Messages } from '../i18n/messages.ts';

type CouponState = 'usable' | 'used' | 'expired';
type Coupon =
  paths['/v1/liff/me/coupons']['get']['responses']['200']['content']['application/json']['items'][number];

export function CouponsScreen({ t, language }: { t: Messages; language: Language }) {
  const [state, setState] = useState<CouponState>('usable');
  const [shown, setShown] = useState<string | undefined>();
  const { data, failed } = useLoad(
    async () => unwrap(await api.GET('/v1/liff/me/coupons', { params: { query: { state } } })),
    state,
  );
  const tabs: [CouponState, string][] = [
    ['usable', t.couponUsable],
    ['used', t.couponUsed],
    ['expired', t.couponExpired],
  ];
  if (shown) return <CouponCode code={shown} t={t} onClose={() => setShown(undefined)} />;
  return (
    <section className="screen">
      <div className="segmented" role="tablist">
        {tabs.map(([value, label]) => (
          <button
            key={value}
            type="button"
            role="tab"
            aria-selected={state === value}
            onClick={() => setState(value)}
          >
            {label}
          </button>
        ))}
      </div>
      {!data ? (
        <p className="notice">{failed ? t.loadFailed : t.loading}</p>
      ) : data.items.length === 0 ? (
        <p className="muted">{t.noCoupons}</p>
      ) : (
        <ul className="list">
          {data.items.map((coupon) => (
            <li key={coupon.code} className="coupon">
              <CouponSummary coupon={coupon} t={t} language={language} />
              {coupon.state === 'usable' && (
                <button type="button" className="button" onClick={() => setShown(coupon.code)}>
                  {t.couponShow}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CouponSummary({ coupon, t, language }: { coupon: Coupon; t: Messages; language: Language }) {
  const when =
    coupon.state === 'used' && coupon.usedAt
      ? t.couponUsedOn(formatDate(coupon.usedAt, language))
      : coupon.validUntil
        ? t.couponValidUntil(formatDate(coupon.validUntil, language))
        : t.couponNoLimit;
  return (
    <div>
      <h3>{coupon.name}</h3>
      <p className="benefit">{benefit(coupon, t, language)}</p>
      {coupon.description && <p className="small">{coupon.description}</p>}
      {coupon.minSpend > 0 && (
        <p className="small muted">{t.minSpend(formatYen(coupon.minSpend, language))}</p>
      )}
      <p className="small muted">{when}</p>
    </div>
  );
}

/** What the coupon gives, in the member's words: ￥200引き, 10%引き, ドリンク無料. */
function benefit(coupon: Coupon, t: Messages, language: Language): string {
  if (coupon.kind === 'percent_off') return t.percentOff(coupon.value);
  if (coupon.kind === 'free_item') return t.freeItem(coupon.freeItem ?? '');
  return t.amountOff(formatYen(coupon.value, language));
}

/** One coupon shown to the till: its code as large text and as a QR code. */
function CouponCode({ code, t, onClose }: { code: string; t: Messages; onClose: () => void }) {
  const { data, failed } = useLoad(
    async () => unwrap(await api.GET('/v1/liff/me/coupons/{code}', { params: { path: { code } } })),
    code,
  );
  return (
    <section className="screen">
      {!data ? (
        <p className="notice">{failed ? t.loadFailed : t.loading}</p>
      ) : (
        <figure className="qr-box">
          <h2>{data.name}</h2>
          <QrCode payload={data.qr} label={t.couponQrAlt(data.code)} size={220} />
          <figcaption>
            <span className="muted">{t.couponCode}</span>
            <span className="code" data-testid="coupon-code">
              {data.code}
            </span>
            <span>{t.couponHint}</span>
          </figcaption>
        </figure>
      )}
      <button type="button" className="button secondary" onClick={onClose}>
        {t.couponClose}
      </button>
    </section>
  );
}
