import { useEffect, useState } from 'react';
import { ApiError, api, unwrap } from '../api/client.ts';
import type { Language, Messages } from '../i18n/messages.ts';
import { PROFILE_MESSAGES } from './profile-messages.ts';
import './profile.css';
import { type Answer, checkAnswer, type Question, QuestionField } from './question-field.tsx';

interface SurveyFormProps {
  t: Messages;
  language: Language;
  /** `first`: the first-open survey, saved then the card; `edit`: the profile tab. */
  mode: 'first' | 'edit';
  onSaved?: () => void;
}

type Loaded = { questions: Question[]; answers: Record<string, Answer>; consent: boolean };

/**
 * The shop's survey with marketing consent: GET /v1/liff/me/profile to show the questions and
 * the member's answers, PUT to save them. Each answer is checked here first (a message under the
 * question); what the server still refuses is shown under the question its path names.
 */
export function SurveyForm({ t, language, mode, onSaved }: SurveyFormProps) {
  const p = PROFILE_MESSAGES[language];
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [loadFailed, setLoadFailed] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved' | 'failed' | 'invalid'>('idle');
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry button's.
  useEffect(() => {
    let cancelled = false;
    setLoadFailed(false);
    api.GET('/v1/liff/me/profile').then(
      (result) => {
        if (cancelled) return;
        try {
          const profile = unwrap(result);
          const consent = profile.marketingConsent === 'granted';
          setLoaded({ questions: profile.questions, answers: profile.answers, consent });
        } catch {
          setLoadFailed(true);
        }
      },
      () => !cancelled && setLoadFailed(true),
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  if (!loaded)
    return (
      <section className="screen" aria-busy={!loadFailed}>
        <p className="notice" role={loadFailed ? 'alert' : undefined}>
          {loadFailed ? t.loadFailed : t.loading}
        </p>
        {loadFailed && (
          <button type="button" className="button" onClick={() => setAttempt((n) => n + 1)}>
            {t.retry}
          </button>
        )}
      </section>
    );

  const setAnswer = (key: string, answer: Answer) => {
    setLoaded({ ...loaded, answers: { ...loaded.answers, [key]: answer } });
    setErrors(({ [key]: _, ...rest }) => rest);
    setStatus('idle');
  };

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    for (const q of loaded.questions) {
      const message = checkAnswer(q, loaded.answers[q.key], p, language);
      if (message) found[q.key] = message;
    }
    setErrors(found);
    const first = loaded.questions.find((q) => found[q.key]);
    if (first) {
      // The first question to fix is brought into view with its control focused, on a long form
      // the member would otherwise see only the message by the button.
      const field = document.getElementById(`field-${first.key}`);
      field?.scrollIntoView({ block: 'center' });
      field?.querySelector<HTMLElement>('input, select, textarea')?.focus({ preventScroll: true });
      return setStatus('invalid');
    }
    setStatus('saving');
    const answers = Object.fromEntries(
      loaded.questions.map((q) => [q.key, loaded.answers[q.key] ?? null] as const),
    );
    try {
      unwrap(
        await api.PUT('/v1/liff/me/profile', {
          body: { answers, marketingConsent: loaded.consent },
        }),
      );
      setStatus('saved');
      onSaved?.();
    } catch (error) {
      const byField = serverErrors(error, loaded.questions, p.fixErrors);
      setErrors(byField);
      setStatus(Object.keys(byField).length ? 'invalid' : 'failed');
    }
  };

  return (
    <section className="screen">
      <form className="survey" onSubmit={(e) => void submit(e)} noValidate>
        <div className="panel">
          <h2>{mode === 'first' ? p.firstTitle : p.editTitle}</h2>
          {mode === 'first' && <p className="muted">{p.firstIntro}</p>}
        </div>
        {loaded.questions.map((q) => (
          <QuestionField
            key={q.key}
            question={q}
            answer={loaded.answers[q.key]}
            error={errors[q.key]}
            p={p}
            language={language}
            onChange={(answer) => setAnswer(q.key, answer)}
          />
        ))}
        <div className="field consent">
          <label className="check">
            <input
              type="checkbox"
              checked={loaded.consent}
              onChange={(e) => {
                setLoaded({ ...loaded, consent: e.target.checked });
                setStatus('idle');
              }}
            />
            <span>{p.consent}</span>
          </label>
          <p className="muted small">{p.consentHint}</p>
        </div>
        {status === 'invalid' && (
          <p className="form-error" role="alert">
            {p.fixErrors}
          </p>
        )}
        {status === 'failed' && (
          <p className="form-error" role="alert">
            {p.saveFailed}
          </p>
        )}
        {status === 'saved' && mode === 'edit' && (
          <p className="form-ok" role="status">
            {p.saved}
          </p>
        )}
        <button type="submit" className="button" disabled={status === 'saving'}>
          {status === 'saving' ? p.saving : mode === 'first' ? p.submitFirst : p.submitEdit}
        </button>
      </form>
    </section>
  );
}

/** The server's 400 problems (`answers.<key>` or `answers.<key>[i]`) by question key. */
function serverErrors(error: unknown, questions: Question[], fallback: string): Record<string, string> {
  if (!(error instanceof ApiError) || error.status !== 400) return {};
  const keys = new Set(questions.map((q) => q.key));
  const byField: Record<string, string> = {};
  for (const problem of error.problems) {
    const key = /^answers\.([a-z][a-z0-9_]*)/.exec(problem.path)?.[1];
    if (key && keys.has(key)) byField[key] = fallback;
  }
  return byField;
}
