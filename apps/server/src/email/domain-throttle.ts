// Per-receiving-domain pacing: mailbox providers throttle (421/451) a sender that arrives too
// fast, Japanese carriers (docomo, au, SoftBank) most of all.
import { Pacer } from '../messaging/pacer.ts';

/**
 * Messages per second per receiving domain, and the burst allowed. Defaults: the carriers'
 * mail gateways are known for deferring bursts, so they get a slow steady rate; the big
 * webmail providers take more. Domains not listed share the `*` rate per domain.
 */
export const DEFAULT_DOMAIN_RATES: Readonly<Record<string, { perSecond: number; burst: number }>> = {
  'gmail.com': { perSecond: 50, burst: 50 },
  'yahoo.co.jp': { perSecond: 20, burst: 20 },
  'yahoo.com': { perSecond: 20, burst: 20 },
  'docomo.ne.jp': { perSecond: 5, burst: 5 },
  'ezweb.ne.jp': { perSecond: 5, burst: 5 },
  'au.com': { perSecond: 5, burst: 5 },
  'softbank.ne.jp': { perSecond: 5, burst: 5 },
  'i.softbank.jp': { perSecond: 5, burst: 5 },
  'icloud.com': { perSecond: 20, burst: 20 },
  'me.com': { perSecond: 20, burst: 20 },
  '*': { perSecond: 100, burst: 100 },
};

/** Which throttle a recipient domain falls under (googlemail.com is Gmail, mac.com is iCloud). */
export function throttleDomain(domain: string): string {
  const d = domain.toLowerCase();
  if (d === 'googlemail.com') return 'gmail.com';
  if (d === 'mac.com') return 'icloud.com';
  return d;
}

/** This process's pacers, per sender account and receiving domain. */
export class DomainThrottle {
  readonly #pacers = new Map<string, Pacer>();
  readonly #rates: Readonly<Record<string, { perSecond: number; burst: number }>>;

  constructor(rates = DEFAULT_DOMAIN_RATES) {
    this.#rates = rates;
  }

  pacerFor(senderId: string, recipientDomain: string): Pacer {
    const domain = throttleDomain(recipientDomain);
    const key = `${senderId}:${domain}`;
    let pacer = this.#pacers.get(key);
    if (!pacer) {
      const rate = this.#rates[domain] ?? this.#rates['*'] ?? { perSecond: 100, burst: 100 };
      pacer = new Pacer(rate.perSecond, rate.burst);
      this.#pacers.set(key, pacer);
    }
    return pacer;
  }
}
