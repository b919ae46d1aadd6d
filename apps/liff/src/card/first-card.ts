// The card's first answer comes with the member session (POST /v1/liff/session `withCard`), so the
// first screen costs one round trip, not two, and nothing waits for React to render the card
// screen before asking (bench/liff measured both). useCard takes it once; every later load
// (refresh, retry, back to the front) asks GET /v1/liff/me/card afresh.
import type { paths } from '@kizuna/contracts';
import { api } from '../api/client.ts';

export type Card = paths['/v1/liff/me/card']['get']['responses']['200']['content']['application/json'];

/** GET /v1/liff/me/card with the member's token. */
export const fetchCard = () => api.GET('/v1/liff/me/card');

let first: { card: Card; receivedAt: number } | undefined;

/** Keeps the card the session answer carried, with when it arrived (performance.now()). */
export function setFirstCard(card: Card): void {
  first = { card, receivedAt: performance.now() };
}

/** The card from the session answer, without taking it (the card screen's first render). */
export function peekFirstCard(): Card | undefined {
  return first?.card;
}

/** The card from the session answer, once; undefined when none is waiting. */
export function takeFirstCard(): { card: Card; receivedAt: number } | undefined {
  const taken = first;
  first = undefined;
  return taken;
}
