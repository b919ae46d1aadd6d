// What a friend sees: the chat above, the menu image with its tap areas, and LINE's chat bar
// under it (keyboard icon, the bar text and the ▼ that folds the menu). The tap areas are the
// editor's drawing surface, laid over the image as children.
import type { ReactNode } from 'react';

export interface RichMenuPreviewProps {
  imageUrl?: string;
  width: number;
  height: number;
  /** What lies over the image: the tap areas. */
  children: ReactNode;
  chatBarText: string;
  chatLabel: string;
}

export function RichMenuPreview({
  imageUrl,
  width,
  height,
  children,
  chatBarText,
  chatLabel,
}: RichMenuPreviewProps) {
  return (
    <figure className="kz-rm-phone" aria-label={chatLabel} style={{ margin: 0 }}>
      <div className="kz-rm-chat" aria-hidden="true">
        <div className="kz-rm-bubble">{chatLabel}</div>
      </div>
      <div className="kz-rm-menu" style={{ aspectRatio: `${width} / ${height}` }}>
        {imageUrl ? (
          <img src={imageUrl} alt="" className="kz-rm-image" />
        ) : (
          <div className="kz-rm-image kz-rm-blank" />
        )}
        {children}
      </div>
      <figcaption className="kz-rm-bar">
        <span aria-hidden="true" className="kz-rm-keyboard">
          ⌨
        </span>
        <span className="kz-rm-bartext">{chatBarText || '\u00a0'} ▾</span>
      </figcaption>
    </figure>
  );
}
