// A LINE step's messages as the step form edits them, both ways: a text (its other fields, such as
// quick replies, kept), a flex message as JSON text, or a message of another type kept as it is.
// The flex JSON is checked here as the server and LINE take it: it parses, it is an object of
// `"type": "flex"` with an `altText` of 1 to 400 characters and `contents` a bubble or a carousel;
// each problem names its JSON path (`altText: must be …`). Pure.
import { messageText } from './definition-view.ts';

export type MessageValue =
  | { type: 'text'; text: string; base?: Record<string, unknown> }
  | { type: 'flex'; json: string }
  | { type: 'other'; message: unknown };

/** LINE's limit of messages in one send (the server's `must hold 1 to 5 messages`). */
export const MAX_MESSAGES = 5;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function messageValuesOf(messages: readonly unknown[]): MessageValue[] {
  return messages.map((m): MessageValue => {
    const text = messageText(m);
    if (text !== null) return { type: 'text', text, base: m as Record<string, unknown> };
    if (isObject(m) && m.type === 'flex') return { type: 'flex', json: JSON.stringify(m, null, 2) };
    return { type: 'other', message: m };
  });
}

/** The messages the values make (a flex message that does not parse stays its text: the form refuses it first). */
export function messagesOf(values: readonly MessageValue[]): unknown[] {
  return values.map((v) => {
    if (v.type === 'text') return { ...(v.base ?? {}), type: 'text', text: v.text };
    if (v.type === 'other') return v.message;
    try {
      return JSON.parse(v.json) as unknown;
    } catch {
      return v.json;
    }
  });
}

/** What is wrong with a flex message's JSON; the step form words each in the chosen language. */
export type FlexProblemCode =
  | 'syntax'
  | 'object'
  | 'type'
  | 'altText'
  | 'contents'
  | 'contentsType'
  | 'carousel';

export interface JsonProblem {
  /** The JSON path in the message ('' for the whole message). */
  path: string;
  code: FlexProblemCode;
  /** Where the JSON stops being readable (a syntax problem). */
  line?: number;
  column?: number;
}

/**
 * The offset where JSON stops being readable: a small recursive-descent reader, since V8's
 * JSON.parse message gives a position for some errors only ("Unexpected token 'x', …").
 */
export function jsonErrorOffset(json: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const space = () => {
    while (/\s/.test(json[i] ?? '')) i++;
  };
  const string = () => {
    if (json[i] !== '"') fail();
    for (i++; json[i] !== '"'; i++) {
      if (i >= json.length || json.charCodeAt(i) < 0x20) fail();
      if (json[i] === '\\') i += json[i + 1] === 'u' ? 5 : 1;
    }
    i++;
  };
  const value = (): void => {
    space();
    const c = json[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (json[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (close === '}') {
          space();
          string();
          space();
          if (json[i] !== ':') fail();
          i++;
        }
        value();
        space();
        if (json[i] === close) {
          i++;
          return;
        }
        if (json[i] !== ',') fail();
        i++;
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(json.slice(i));
    if (!literal) fail();
    i += literal?.[0].length ?? 0;
  };
  try {
    value();
    space();
    return i < json.length ? i : -1;
  } catch (at) {
    return at as number;
  }
}

/** The syntax problem of unreadable JSON, as a line and column (1-based). */
function syntaxProblem(json: string): JsonProblem {
  const offset = jsonErrorOffset(json);
  const before = json.slice(0, offset < 0 ? json.length : offset);
  return {
    path: '',
    code: 'syntax',
    line: before.split('\n').length,
    column: before.length - before.lastIndexOf('\n'),
  };
}

/** The problems of a flex message's JSON, each with its path; empty when it can be sent. */
export function flexProblems(json: string): JsonProblem[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return [syntaxProblem(json)];
  }
  if (!isObject(value)) return [{ path: '', code: 'object' }];
  const problems: JsonProblem[] = [];
  if (value.type !== 'flex') problems.push({ path: 'type', code: 'type' });
  const alt = value.altText;
  if (typeof alt !== 'string' || alt.trim().length === 0 || [...alt].length > 400)
    problems.push({ path: 'altText', code: 'altText' });
  const contents = value.contents;
  if (!isObject(contents)) problems.push({ path: 'contents', code: 'contents' });
  else if (contents.type !== 'bubble' && contents.type !== 'carousel')
    problems.push({ path: 'contents.type', code: 'contentsType' });
  else if (
    contents.type === 'carousel' &&
    !(Array.isArray(contents.contents) && contents.contents.length > 0)
  )
    problems.push({ path: 'contents.contents', code: 'carousel' });
  return problems;
}

/** A starting point for a new flex message: one bubble with a title and a line of text. */
export const FLEX_EXAMPLE = JSON.stringify(
  {
    type: 'flex',
    altText: 'お知らせ',
    contents: {
      type: 'bubble',
      body: {
        type: 'box',
        layout: 'vertical',
        contents: [
          { type: 'text', text: 'お知らせ', weight: 'bold', size: 'lg' },
          { type: 'text', text: '{{ customer.given_name }}様へのご案内です。', wrap: true },
        ],
      },
    },
  },
  null,
  2,
);
