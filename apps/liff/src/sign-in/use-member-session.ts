import { useEffect, useState } from 'react';
import { liffIdFromPath, openSession, type SignInResult, startSignIn } from './liff-sign-in.ts';

export type Phase =
  | { kind: 'signing-in' }
  | { kind: 'outside-line'; login: () => void }
  | { kind: 'survey' }
  | { kind: 'ready' }
  | { kind: 'failed' }
  | { kind: 'expired' };

/**
 * Signs the member in and keeps the session alive: it is renewed in place (a fresh post of the
 * ID token) before it runs out, so a member who keeps the card open is never signed out. If a
 * renewal fails the phase becomes `expired` and the app asks to reopen.
 */
export function useMemberSession(): [Phase, (phase: Phase) => void] {
  const [phase, setPhase] = useState<Phase>({ kind: 'signing-in' });
  useEffect(() => {
    const liffId = liffIdFromPath(globalThis.location.pathname);
    if (!liffId) return setPhase({ kind: 'failed' });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const renewAfter = (ms: number) => {
      timer = setTimeout(() => {
        openSession(liffId).then(
          (session) => !stopped && renewAfter(session.renewInMs),
          (error: unknown) => {
            console.error(error);
            if (!stopped) setPhase({ kind: 'expired' });
          },
        );
      }, ms);
    };
    const settle = (result: SignInResult | undefined) => {
      if (stopped || !result) return;
      if (result.kind === 'outside-line') {
        setPhase({
          kind: 'outside-line',
          login: () => void result.login().then(settle, fail),
        });
        return;
      }
      setPhase({ kind: result.session.firstOpen ? 'survey' : 'ready' });
      renewAfter(result.session.renewInMs);
    };
    const fail = (error: unknown) => {
      console.error(error);
      if (!stopped) setPhase({ kind: 'failed' });
    };
    startSignIn(liffId).then(settle, fail);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return [phase, setPhase];
}
