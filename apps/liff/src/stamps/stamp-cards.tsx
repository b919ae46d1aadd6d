import type { paths } from '@kizuna/contracts';
import { api, unwrap } from '../api/client.ts';
import { useLoad } from '../app/use-load.ts';
import type { Language } from '../i18n/messages.ts';
import { STAMP_MESSAGES } from './stamp-messages.ts';
import './stamps.css';

type StampCards = paths['/v1/liff/me/stamp-cards']['get']['responses']['200']['content']['application/json'];
type StampCard = StampCards['items'][number];

/**
 * The shop's active stamp cards with the member's progress: one circle a stamp, a gift mark
 * where a reward is given. A shop without stamp cards shows nothing here.
 */
export function StampCardsSection({ language }: { language: Language }) {
  const s = STAMP_MESSAGES[language];
  const { data, failed } = useLoad(async () => unwrap(await api.GET('/v1/liff/me/stamp-cards')), 'stamps');
  if (failed) return <p className="notice">{s.loadFailed}</p>;
  if (!data || data.items.length === 0) return null;
  return (
    <section aria-labelledby="stamp-cards-title" className="stamp-cards">
      <h2 id="stamp-cards-title">{s.title}</h2>
      {data.items.map((card) => (
        <StampCardView key={card.templateId} card={card} language={language} />
      ))}
    </section>
  );
}

function StampCardView({ card, language }: { card: StampCard; language: Language }) {
  const s = STAMP_MESSAGES[language];
  const rewardAt = new Set(card.rewards.map((r) => r.at));
  const next = card.rewards.map((r) => r.at).find((at) => at > card.stamps);
  return (
    <div className="panel stamp-card" data-testid="stamp-card">
      <h3>{card.name}</h3>
      <p className="stamp-count">{s.progress(card.stamps, card.required)}</p>
      <div className="stamp-grid" role="img" aria-label={s.progress(card.stamps, card.required)}>
        {Array.from({ length: card.required }, (_, i) => i + 1).map((n) => (
          <span
            key={n}
            aria-hidden="true"
            className={`stamp${n <= card.stamps ? ' filled' : ''}${rewardAt.has(n) ? ' reward' : ''}`}
          >
            {n <= card.stamps ? '★' : rewardAt.has(n) ? s.rewardMark : n}
          </span>
        ))}
      </div>
      {card.rewards.length > 0 && (
        <p className="muted">{next === undefined ? s.allRewards : s.untilReward(next - card.stamps)}</p>
      )}
    </div>
  );
}
