// The template editor's state: the fields of the API's template body (name, subject, mjml, kind;
// the server has no preheader and no separate HTML or text body: it compiles the MJML to HTML and
// derives the text part). Pure, so a test can check it without a browser.

export type TemplateKind = 'marketing' | 'transactional';

export interface TemplateDraft {
  name: string;
  kind: TemplateKind;
  subject: string;
  mjml: string;
}

/** What a new template starts with: a greeting that uses a fill-in, a paragraph and a button. */
export const STARTER_MJML = `<mjml>
  <mj-body background-color="#f5f2ec">
    <mj-section background-color="#ffffff" padding="24px">
      <mj-column>
        <mj-text font-size="16px" line-height="1.8">
          <p>{{ customer.given_name | default: "お客" }}様</p>
          <p>いつもご利用いただき、ありがとうございます。</p>
        </mj-text>
        <mj-button background-color="#b5282e" href="https://example.jp">詳しく見る</mj-button>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
`;

export const NEW_DRAFT: TemplateDraft = { name: '', kind: 'marketing', subject: '', mjml: STARTER_MJML };

export function draftOf(template: { name: string; kind: TemplateKind; subject: string; mjml: string }) {
  const { name, kind, subject, mjml } = template;
  return { name, kind, subject, mjml } satisfies TemplateDraft;
}

export function sameDraft(a: TemplateDraft, b: TemplateDraft): boolean {
  return a.name === b.name && a.kind === b.kind && a.subject === b.subject && a.mjml === b.mjml;
}

/** The body of POST/PUT /v1/email/templates: the name trimmed (as the server stores it). */
export function templateBody(draft: TemplateDraft): TemplateDraft {
  return { ...draft, name: draft.name.trim() };
}

/**
 * The body of the unsaved-template preview, or undefined while there is nothing to show (no
 * subject or body yet). The name is not part of what is shown: a fixed one is sent, so typing
 * the name neither asks for a new preview nor marks the preview wrong before a name is given.
 */
export function previewBody(draft: TemplateDraft, customerId: number | undefined) {
  if (!draft.subject.trim() || !draft.mjml.trim()) return undefined;
  return {
    name: 'preview',
    subject: draft.subject,
    mjml: draft.mjml,
    kind: draft.kind,
    ...(customerId === undefined ? {} : { customerId }),
  };
}

/** The fields left empty, each with the problem the server's schema would give it. */
export function emptyFields(draft: TemplateDraft): { path: keyof TemplateDraft; message: string }[] {
  return (['name', 'subject', 'mjml'] as const)
    .filter((field) => !draft[field].trim())
    .map((path) => ({ path, message: 'must NOT have fewer than 1 characters' }));
}
