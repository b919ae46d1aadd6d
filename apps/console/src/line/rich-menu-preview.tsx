// What a friend sees: the chat above, the menu image with its tap areas, and LINE's chat bar
// under it (keyboard icon, the bar text and the ▼ that folds the menu).
import type { Bounds } from './rich-menu-layouts.ts';

export interface RichMenuPreviewProps {
  imageUrl?: string;
  width: number;
  height: number;
  areas: Bounds[];
  /** What each area does, drawn on it: "A ショップ". */
  labels: string[];
  chatBarText: string;
  chatLabel: string;
}

export function RichMenuPreview({
  imageUrl,
  width,
  height,
  areas,
  labels,
  chatBarText,
  chatLabel,
}: RichMenuPreviewProps) {
  const pct = (value: number, of: number) => `${(value / of) * 100}%`;
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
        {areas.map((area, i) => (
          <div
            key={`${area.x}-${area.y}`}
            className="kz-rm-area"
            style={{
              left: pct(area.x, width),
              top: pct(area.y, height),
              width: pct(area.width, width),
              height: pct(area.height, height),
            }}
          >
            <span>{labels[i]}</span>
          </div>
        ))}
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
