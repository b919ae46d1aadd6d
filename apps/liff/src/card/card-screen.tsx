import { formatCount, formatTime, type Messages } from '../i18n/messages.ts';
import { QrCode } from './qr-code.tsx';
import { useCard } from './use-card.ts';

export function CardScreen({ t }: { t: Messages }) {
  const { card, qrValid, refreshFailed, reload } = useCard();
  if (!card) {
    return (
      <section className="screen" aria-busy={!refreshFailed}>
        <p className="notice">{refreshFailed ? t.loadFailed : t.loading}</p>
        {refreshFailed && (
          <button type="button" className="button" onClick={reload}>
            {t.retry}
          </button>
        )}
      </section>
    );
  }
  return (
    <section className="screen card">
      <div className="member">
        {card.name && <p className="member-name">{card.name}</p>}
        <dl className="facts">
          <div>
            <dt>{t.memberNo}</dt>
            <dd data-testid="member-no">{card.memberNo}</dd>
          </div>
          <div>
            <dt>{t.tier}</dt>
            <dd>{card.tier?.name ?? t.noTier}</dd>
          </div>
          <div>
            <dt>{t.points}</dt>
            <dd data-testid="card-points">
              {formatCount(card.points)} {t.pointsUnit}
            </dd>
          </div>
        </dl>
      </div>
      {qrValid && !refreshFailed ? (
        <figure className="qr-box">
          <QrCode payload={card.qr.payload} modules={card.qr.modules} label={t.qrAlt} size={280} />
          <figcaption>
            <span>{t.qrHint}</span>
            <span className="muted">{t.qrValidUntil(formatTime(card.qr.expiresAt))}</span>
          </figcaption>
        </figure>
      ) : (
        <div className="qr-box qr-unavailable" role="alert">
          {!qrValid && <p>{t.qrExpired}</p>}
          {refreshFailed && <p>{t.qrCannotRefresh}</p>}
          <button type="button" className="button" onClick={reload}>
            {t.retry}
          </button>
        </div>
      )}
    </section>
  );
}
