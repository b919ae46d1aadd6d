import type { paths } from '@kizuna/contracts';
import { type FormEvent, useState } from 'react';
import { ApiError, api, unwrap } from '../api/client.ts';
import type { Language } from '../i18n/messages.ts';
import { INSERT_MESSAGES, type InsertMessages } from './insert-messages.ts';
import { isInsertToken } from './launch-params.ts';
import './insert.css';

type Claim = paths['/v1/liff/me/insert-claims']['post']['responses']['200']['content']['application/json'];
type Proof = 'email' | 'phone';

/** The server's refusal, in the member's words (by its stable reason, not its English message). */
function refusal(error: unknown, m: InsertMessages): string {
  if (!(error instanceof ApiError)) return m.failed;
  if (error.reason === 'insert_proof_mismatch') return m.mismatch;
  if (error.reason === 'insert_attempts_exceeded') return m.locked;
  if (error.reason === 'insert_no_proof') return m.noProof;
  if (error.status === 400 && error.message.startsWith('token:')) return m.badCode;
  return m.failed;
}

/**
 * The claim of an insert QR (同梱物): the member proves the order with its email or the last 4
 * digits of its phone; the answer says whether it was linked (and the coupon) or claimed before.
 */
export function InsertClaimScreen({
  token,
  language,
  onDone,
}: {
  token: string;
  language: Language;
  onDone: () => void;
}) {
  const m = INSERT_MESSAGES[language];
  const [proof, setProof] = useState<Proof>('phone');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [claim, setClaim] = useState<Claim | undefined>();
  const [error, setError] = useState<string | undefined>(isInsertToken(token) ? undefined : m.badCode);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = proof === 'email' ? { token, email: value } : { token, phoneLast4: value };
      setClaim(unwrap(await api.POST('/v1/liff/me/insert-claims', { body })));
    } catch (caught) {
      setError(refusal(caught, m));
    } finally {
      setBusy(false);
    }
  };

  if (claim)
    return (
      <section className="screen" aria-labelledby="insert-title">
        <h2 id="insert-title">{m.title}</h2>
        {claim.status === 'claimed' ? (
          <div role="status">
            <p>{m.claimed(claim.orderNumber)}</p>
            <p>{claim.coupon ? m.couponGranted(claim.coupon.name) : m.noCoupon}</p>
          </div>
        ) : (
          <p role="status">{m.alreadyClaimed(claim.orderNumber)}</p>
        )}
        <button type="button" className="button" onClick={onDone}>
          {m.toCard}
        </button>
      </section>
    );
  return (
    <section className="screen" aria-labelledby="insert-title">
      <h2 id="insert-title">{m.title}</h2>
      <p>{m.intro}</p>
      <form onSubmit={submit} className="insert-form">
        <fieldset className="insert-choice">
          <legend className="insert-legend">{m.title}</legend>
          {(['phone', 'email'] as const).map((kind) => (
            <label key={kind}>
              <input
                type="radio"
                name="proof"
                value={kind}
                checked={proof === kind}
                onChange={() => {
                  setProof(kind);
                  setValue('');
                }}
              />
              {kind === 'phone' ? m.byPhone : m.byEmail}
            </label>
          ))}
        </fieldset>
        <label className="insert-field" htmlFor="insert-proof">
          {proof === 'phone' ? m.phoneLabel : m.emailLabel}
          {/* Two inputs, not one whose attributes change: a kept maxLength of 4 would cut the email. */}
          {proof === 'phone' ? (
            <input
              key="phone"
              id="insert-proof"
              inputMode="numeric"
              autoComplete="off"
              pattern="[0-9]{4}"
              maxLength={4}
              required
              value={value}
              onChange={(e) => setValue(e.target.value.replace(/\D/g, ''))}
            />
          ) : (
            <input
              key="email"
              id="insert-proof"
              type="email"
              autoComplete="email"
              maxLength={254}
              required
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          )}
        </label>
        {error && (
          <p className="notice" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button" disabled={busy || !isInsertToken(token)}>
          {busy ? m.submitting : m.submit}
        </button>
      </form>
      <button type="button" className="link" onClick={onDone}>
        {m.toCard}
      </button>
    </section>
  );
}
