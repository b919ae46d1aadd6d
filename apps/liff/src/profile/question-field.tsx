import type { paths } from '@kizuna/contracts';
import type { Language } from '../i18n/messages.ts';
import type { ProfileMessages } from './profile-messages.ts';

type Profile = paths['/v1/liff/me/profile']['get']['responses']['200']['content']['application/json'];
export type Question = Profile['questions'][number];
export type Answer = string | string[] | null;

export const label = (item: { labelJa: string; labelEn?: string }, language: Language) =>
  language === 'en' && item.labelEn ? item.labelEn : item.labelJa;

export const isMulti = (q: Question) => q.kind === 'interests' || q.kind === 'multi_choice';

/** The member's message for an answer that cannot be saved, or undefined when it can. */
export function checkAnswer(q: Question, answer: Answer | undefined, p: ProfileMessages, language: Language) {
  const name = label(q, language);
  const empty = answer === undefined || answer === null || answer === '' || answer.length === 0;
  if (empty) {
    if (!q.required) return undefined;
    if (q.kind === 'text') return p.fillIn(name);
    return isMulti(q) ? p.chooseSome(name) : p.chooseOne(name);
  }
  if (typeof answer === 'string' && q.kind === 'text' && answer.length > 500) return p.tooLong(name);
  return undefined;
}

interface FieldProps {
  question: Question;
  answer: Answer | undefined;
  error: string | undefined;
  p: ProfileMessages;
  language: Language;
  onChange: (answer: Answer) => void;
}

/** One survey question: chips to pick from, a store list, or a text box, with its error below. */
export function QuestionField({ question: q, answer, error, p, language, onChange }: FieldProps) {
  const id = `q-${q.key}`;
  const errorId = `${id}-error`;
  const described = error ? errorId : undefined;
  const options = q.options ?? [];
  const heading = (
    <span className="q-label">
      {label(q, language)}
      <span className={q.required ? 'badge required' : 'badge'}>{q.required ? p.required : p.optional}</span>
    </span>
  );
  let control: React.ReactNode;
  if (q.kind === 'text') {
    control = (
      <textarea
        id={id}
        value={typeof answer === 'string' ? answer : ''}
        maxLength={500}
        rows={3}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  } else if (q.kind === 'favorite_store') {
    control = (
      <select
        id={id}
        value={typeof answer === 'string' ? answer : ''}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
        onChange={(e) => onChange(e.target.value || null)}
      >
        <option value="">{options.length ? p.choose : p.noStores}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {label(o, language)}
          </option>
        ))}
      </select>
    );
  } else {
    const chosen = new Set(Array.isArray(answer) ? answer : typeof answer === 'string' ? [answer] : []);
    const multi = isMulti(q);
    control = (
      <div className="chips">
        {options.map((o) => (
          <label key={o.value} className="chip">
            <input
              type={multi ? 'checkbox' : 'radio'}
              name={id}
              value={o.value}
              checked={chosen.has(o.value)}
              onChange={(e) => {
                if (!multi) return onChange(o.value);
                const next = new Set(chosen);
                if (e.target.checked) next.add(o.value);
                else next.delete(o.value);
                onChange(options.map((x) => x.value).filter((v) => next.has(v)));
              }}
            />
            <span>{label(o, language)}</span>
          </label>
        ))}
      </div>
    );
  }
  const simple = q.kind === 'text' || q.kind === 'favorite_store';
  return (
    <div id={`field-${q.key}`} className={error ? 'field has-error' : 'field'}>
      {simple ? (
        <label htmlFor={id}>{heading}</label>
      ) : (
        <fieldset aria-describedby={described}>
          <legend>{heading}</legend>
          {control}
        </fieldset>
      )}
      {simple && control}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
