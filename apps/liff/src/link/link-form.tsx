import { useEffect, useState } from 'react';
import { ApiError, api, unwrap } from '../api/client.ts';
import type { Language } from '../i18n/messages.ts';
import '../profile/profile.css';
import { PROFILE_MESSAGES, type ProfileMessages } from '../profile/profile-messages.ts';

type Proof = 'phone' | 'email';
type Outcome = { kind: 'ok' | 'error'; message: string } | undefined;

/**
 * Links the member's existing shop account: member number plus the phone's last four digits or
 * the email, POST /v1/liff/me/link. The server answers one way for an unknown number and a wrong
 * proof, so the screen does too; on success the card shows the account's points.
 */
export function LinkForm({ language, onLinked }: { language: Language; onLinked: () => void }) {
  const p = PROFILE_MESSAGES[language];
  const [memberNo, setMemberNo] = useState('');
  const [proof, setProof] = useState<Proof>('phone');
  const [value, setValue] = useState('');
  const [fieldError, setFieldError] = useState<{ field: 'memberNo' | 'proof'; message: string }>();
  const [outcome, setOutcome] = useState<Outcome>();
  const [busy, setBusy] = useState(false);

  // The answer appears below the button, under the tab bar on a small phone: bring it into view.
  useEffect(() => {
    if (outcome) document.getElementById('link-outcome')?.scrollIntoView({ block: 'center' });
  }, [outcome]);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setOutcome(undefined);
    const problem = checkInput(memberNo, proof, value, p);
    setFieldError(problem);
    if (problem) return;
    setBusy(true);
    try {
      const body =
        proof === 'phone' ? { memberNo, phoneLast4: value.trim() } : { memberNo, email: value.trim() };
      const result = unwrap(await api.POST('/v1/liff/me/link', { body }));
      setOutcome({ kind: 'ok', message: result.status === 'linked' ? p.linked : p.alreadyLinked });
      if (result.status === 'linked') onLinked();
    } catch (error) {
      setOutcome({ kind: 'error', message: linkError(error, p) });
    } finally {
      setBusy(false);
    }
  };

  const proofId = 'link-proof-value';
  return (
    <form className="panel link-form" onSubmit={(e) => void submit(e)} noValidate>
      <h2>{p.linkTitle}</h2>
      <p className="muted small">{p.linkIntro}</p>
      <div className={fieldError?.field === 'memberNo' ? 'field has-error' : 'field'}>
        <label htmlFor="link-member-no">
          <span className="q-label">{p.linkMemberNo}</span>
        </label>
        <input
          id="link-member-no"
          value={memberNo}
          maxLength={40}
          autoComplete="off"
          aria-describedby="link-member-no-hint"
          aria-invalid={fieldError?.field === 'memberNo' ? true : undefined}
          onChange={(e) => setMemberNo(e.target.value)}
        />
        <p id="link-member-no-hint" className="muted small">
          {fieldError?.field === 'memberNo' ? (
            <span className="field-error">{fieldError.message}</span>
          ) : (
            p.linkMemberNoHint
          )}
        </p>
      </div>
      <fieldset className="field">
        <legend>
          <span className="q-label">{p.linkProofBy}</span>
        </legend>
        <div className="chips">
          {(['phone', 'email'] as const).map((kind) => (
            <label key={kind} className="chip">
              <input
                type="radio"
                name="link-proof"
                checked={proof === kind}
                onChange={() => {
                  setProof(kind);
                  setValue('');
                  setFieldError(undefined);
                }}
              />
              <span>{kind === 'phone' ? p.linkByPhone : p.linkByEmail}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className={fieldError?.field === 'proof' ? 'field has-error' : 'field'}>
        <label htmlFor={proofId}>
          <span className="q-label">{proof === 'phone' ? p.linkPhoneLast4 : p.linkEmail}</span>
        </label>
        <input
          id={proofId}
          value={value}
          inputMode={proof === 'phone' ? 'numeric' : 'email'}
          type={proof === 'phone' ? 'text' : 'email'}
          maxLength={proof === 'phone' ? 4 : 254}
          autoComplete={proof === 'phone' ? 'off' : 'email'}
          aria-invalid={fieldError?.field === 'proof' ? true : undefined}
          aria-describedby={fieldError?.field === 'proof' ? 'link-proof-error' : undefined}
          onChange={(e) => setValue(e.target.value)}
        />
        {fieldError?.field === 'proof' && (
          <p id="link-proof-error" className="field-error">
            {fieldError.message}
          </p>
        )}
      </div>
      {outcome && (
        <p
          className={outcome.kind === 'ok' ? 'form-ok' : 'form-error'}
          role={outcome.kind === 'ok' ? 'status' : 'alert'}
        >
          {outcome.message}
        </p>
      )}
      <button type="submit" className="button" disabled={busy}>
        {busy ? p.linking : p.linkSubmit}
      </button>
    </form>
  );
}

function checkInput(memberNo: string, proof: Proof, value: string, p: ProfileMessages) {
  if (!memberNo.trim()) return { field: 'memberNo' as const, message: p.linkNeedsMemberNo };
  const v = value.normalize('NFKC').trim();
  if (proof === 'phone' && !/^[0-9]{4}$/.test(v))
    return { field: 'proof' as const, message: p.linkNeedsLast4 };
  if (proof === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v))
    return { field: 'proof' as const, message: p.linkNeedsEmail };
  return undefined;
}

/** The server's refusal in the member's words, by its stable reason. */
function linkError(error: unknown, p: ProfileMessages): string {
  if (!(error instanceof ApiError)) return p.linkFailed;
  if (error.reason === 'link_not_matched') return p.linkNotMatched;
  if (error.reason === 'link_attempts_exceeded' || error.status === 429) return p.linkTooMany;
  if (error.reason === 'linked_to_other_line') return p.linkOtherLine;
  if (error.status === 400) return p.linkNotMatched;
  return p.linkFailed;
}
