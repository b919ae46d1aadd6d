import type { Language, Messages } from '../i18n/messages.ts';
import { LinkForm } from '../link/link-form.tsx';
import { SurveyForm } from './survey-form.tsx';

/** The プロフィール tab: the survey answers to edit, and linking an existing member account. */
export function ProfileScreen({
  t,
  language,
  onLinked,
}: {
  t: Messages;
  language: Language;
  onLinked: () => void;
}) {
  return (
    <>
      <SurveyForm t={t} language={language} mode="edit" />
      <section className="screen">
        <LinkForm language={language} onLinked={onLinked} />
      </section>
    </>
  );
}
