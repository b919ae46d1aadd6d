import type { paths } from '@kizuna/contracts';
import { useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { useLoad } from '../app/use-load.ts';
import { formatCount, formatDate, type Language, type Messages } from '../i18n/messages.ts';
import { StampCardsSection } from '../stamps/stamp-cards.tsx';
import { pointReason } from './point-reason.ts';

type Points = paths['/v1/liff/me/points']['get']['responses']['200']['content']['application/json'];
type Entry = Points['history'][number];

const PAGE = 20;

export function PointsScreen({ t, language }: { t: Messages; language: Language }) {
  const { data, failed } = useLoad(
    async () => unwrap(await api.GET('/v1/liff/me/points', { params: { query: { limit: PAGE } } })),
    'points',
  );
  const [older, setOlder] = useState<Entry[]>([]);
  const [next, setNext] = useState<number | null | undefined>(undefined);
  if (!data) return <p className="notice">{failed ? t.loadFailed : t.loading}</p>;
  const cursor = next === undefined ? data.nextBefore : next;
  const more = async () => {
    if (cursor === null) return;
    const page = unwrap(
      await api.GET('/v1/liff/me/points', { params: { query: { before: cursor, limit: PAGE } } }),
    );
    setOlder((rows) => [...rows, ...page.history]);
    setNext(page.nextBefore);
  };
  return (
    <section className="screen">
      <div className="panel">
        <h2>{t.balance}</h2>
        <p className="balance" data-testid="points-balance">
          {formatCount(data.balance)} <small>{t.pointsUnit}</small>
        </p>
        <p className="muted">
          {data.expiringSoon.points > 0 && data.expiringSoon.firstExpiry
            ? t.expiringOn(data.expiringSoon.points, formatDate(data.expiringSoon.firstExpiry, language))
            : t.noneExpiring}
        </p>
      </div>
      <StampCardsSection language={language} />
      <h2>{t.history}</h2>
      {data.history.length === 0 ? (
        <p className="muted">{t.noHistory}</p>
      ) : (
        <ul className="list">
          {[...data.history, ...older].map((entry) => (
            <li key={entry.id} className="row">
              <span>
                <strong>{t.kind[entry.kind] ?? entry.kind}</strong>
                <span className="muted"> {formatDate(entry.createdAt, language)}</span>
                {entry.reason && <span className="muted small">{pointReason(entry.reason, language)}</span>}
              </span>
              <span className={entry.points < 0 ? 'minus' : 'plus'}>
                {entry.points > 0 ? '+' : ''}
                {formatCount(entry.points)} {t.pointsUnit}
              </span>
            </li>
          ))}
        </ul>
      )}
      {cursor !== null && (
        <button type="button" className="button secondary" onClick={() => void more()}>
          {t.more}
        </button>
      )}
    </section>
  );
}
