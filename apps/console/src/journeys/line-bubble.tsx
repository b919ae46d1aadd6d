// A LINE message as the customer's phone shows it: a white speech bubble on the chat's blue-grey
// background. Text messages show their text (Liquid as written); other types show their kind and
// alternative text.
import { messageText } from './definition-view.ts';

function altText(message: unknown): string {
  if (typeof message !== 'object' || message === null) return '';
  const m = message as { type?: unknown; altText?: unknown };
  return `${typeof m.type === 'string' ? m.type : '?'}${typeof m.altText === 'string' ? `: ${m.altText}` : ''}`;
}

export function LineBubbles({
  messages,
  otherLabel,
}: {
  messages: readonly unknown[];
  otherLabel: (type: string) => string;
}) {
  return (
    <div className="kz-line-chat">
      {messages.map((message, i) => {
        const text = messageText(message);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: a message's place in its node is its identity
          <div key={i} className="kz-line-bubble">
            {text ?? otherLabel(altText(message))}
          </div>
        );
      })}
    </div>
  );
}
