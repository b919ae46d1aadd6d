import { useCallback, useEffect, useState } from 'react';
import { unwrap } from '../api/client.ts';
import { type Card, fetchCard, peekFirstCard, takeFirstCard } from './first-card.ts';

export type { Card };

export interface CardState {
  card?: Card;
  /** The QR may be shown as valid: fetched, and not past its expiry by the phone's clock. */
  qrValid: boolean;
  /** The last refresh failed (offline, session gone): the member is told the code cannot refresh. */
  refreshFailed: boolean;
}

/**
 * The member's card, fetched again when the server says (`refreshAfter`). The server's clock may
 * differ from the phone's (or run simulated time), so the delays are the server's intervals
 * (refreshAfter − issuedAt, expiresAt − issuedAt) counted from when the answer arrived.
 */
export function useCard(): CardState & { reload: () => void } {
  // The card the session answer carried is drawn in the screen's first render, not after an
  // effect and a second render (on a slow phone, a frame and a render saved).
  const [state, setState] = useState<CardState>(() => {
    const card = peekFirstCard();
    return card ? { card, qrValid: true, refreshFailed: false } : { qrValid: false, refreshFailed: false };
  });
  const [attempt, setAttempt] = useState(0);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the member's "try again": it restarts the loop.
  useEffect(() => {
    let cancelled = false;
    const timers: ReturnType<typeof setTimeout>[] = [];
    const load = async () => {
      try {
        // The session's answer carried the first card; its delays count from when it arrived.
        const first = takeFirstCard();
        const card = first?.card ?? unwrap(await fetchCard());
        if (cancelled) return;
        const issued = Date.parse(card.qr.issuedAt);
        const sinceArrival = first ? performance.now() - first.receivedAt : 0;
        // The first card is already on screen (the initial state); a fetched one replaces it.
        if (!first) setState({ card, qrValid: true, refreshFailed: false });
        timers.push(
          setTimeout(load, Math.max(1_000, Date.parse(card.qr.refreshAfter) - issued - sinceArrival)),
        );
        timers.push(
          setTimeout(
            () => !cancelled && setState((s) => (s.card === card ? { ...s, qrValid: false } : s)),
            Date.parse(card.qr.expiresAt) - issued - sinceArrival,
          ),
        );
      } catch {
        if (cancelled) return;
        // Keep the card's number and points, but never present the old code as valid.
        setState((s) => ({ ...s, refreshFailed: true }));
        timers.push(setTimeout(load, 15_000));
      }
    };
    // A fresh code as soon as the member comes back to the app (LINE keeps it in the background).
    const onVisible = () => document.visibilityState === 'visible' && void load();
    document.addEventListener('visibilitychange', onVisible);
    void load();
    return () => {
      cancelled = true;
      for (const t of timers) clearTimeout(t);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [attempt]);

  return { ...state, reload };
}
