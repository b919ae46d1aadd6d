// The editor's one-line wording of a step, where it says more than journey-labels.ts does:
// 「7日以内に購入があったか」, 「『購入者』に当てはまるか」, an email's template by name.
import type { Lang } from '../i18n/messages.ts';
import { type JourneyNodeView, messageText, parseDuration } from './definition-view.ts';
import type { editorMessages } from './editor-messages.ts';
import { durationLabel, eventName, type JourneyT, nodeSummary } from './journey-labels.ts';

export type EditorT = (
  key: keyof (typeof editorMessages)['ja'],
  vars?: Readonly<Record<string, string | number>>,
) => string;

export interface StepNames {
  coupons?: ReadonlyMap<number, string>;
  emailTemplates?: ReadonlyMap<number, string>;
  richMenus?: ReadonlyMap<number, string>;
  /** A send node's id → its one line (「ようこそ…」), for the click branches that name it. */
  messages?: ReadonlyMap<string, string>;
}

/** 「メール（テンプレート「お礼」）」, 「メール「ご来店ありがとう」」. */
export function emailSummary(email: JourneyNodeView['email'], te: EditorT, names: StepNames = {}): string {
  return email?.templateId !== undefined
    ? te('emailSummary', { name: names.emailTemplates?.get(email.templateId) ?? `#${email.templateId}` })
    : te('emailInline', { subject: email?.subject ?? '' });
}

function altTextOf(message: unknown): string | null {
  const alt = (message as { altText?: unknown } | undefined)?.altText;
  return typeof alt === 'string' ? alt : null;
}

function attributeSummary(action: NonNullable<JourneyNodeView['action']>, te: EditorT): string {
  const name = action.name ?? '';
  const v = action.value;
  if (v === null || v === undefined) return te('clearAttributeSummary', { name });
  const value = typeof v === 'boolean' ? te(v ? 'valueTrue' : 'valueFalse') : String(v);
  return te('setAttributeSummary', { name, value });
}

/** What a step does, in one line (a message: its first text, shortened). */
export function stepSummary(
  node: JourneyNodeView,
  t: JourneyT,
  te: EditorT,
  lang: Lang,
  names: StepNames = {},
): string {
  if (node.type === 'waitForEvent') {
    const d = parseDuration(node.timeout ?? '');
    const event = eventName(node.event ?? '', lang);
    if (d && d.hours === 0) return te('waitForEventSummary', { days: d.days, event });
    if (d && d.days === 0) return te('waitForEventHours', { hours: d.hours, event });
  }
  if (node.type === 'branch' && node.condition !== undefined && node.label)
    return te('branchSegmentSummary', { name: node.label });
  if (node.type === 'branch' && node.clicked)
    return te('clickedSummary', {
      message: names.messages?.get(node.clicked.nodeId) ?? node.clicked.nodeId,
      within: durationLabel(node.clicked.within, t),
    });
  if (node.type === 'action' && node.action?.type === 'setAttribute')
    return attributeSummary(node.action, te);
  const menu = node.action?.type === 'linkRichMenu' && names.richMenus?.get(node.action.richMenuId ?? 0);
  if (menu) return te('linkRichMenuSummary', { name: menu });
  if (node.type === 'send') {
    if (node.channel === 'email') return emailSummary(node.email, te, names);
    // Its first text, else the alternative text of its first message (a flex message's altText).
    const text =
      (node.messages ?? []).map((m) => messageText(m)).find((x) => x !== null) ??
      altTextOf(node.messages?.[0]);
    return text ? (text.length > 40 ? `${text.slice(0, 40)}…` : text) : '';
  }
  return nodeSummary(node, t, lang, names.coupons);
}

/**
 * A server problem as the step it names shows it: without the node's path (the step is where it
 * shows), a message's text named as the form names it (「メッセージ本文 1 に誤りがあります: …」).
 */
export function problemText(problem: string, te: EditorT): string {
  const rest = problem.replace(/^nodes\[\d+\]\.?/, '');
  const text = /^messages\[(\d+)\]\.text: ([\s\S]*)$/.exec(rest);
  if (text) return te('problemMessageText', { n: Number(text[1]) + 1, problem: text[2] ?? '' });
  return rest;
}
