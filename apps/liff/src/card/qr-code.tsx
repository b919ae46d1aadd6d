import { useMemo } from 'react';
import { encode, modulesPath } from './qr-modules.ts';

export interface QrCodeProps {
  /** What the code carries (also kept on the element, as `data-payload`). */
  payload: string;
  /**
   * The payload already encoded by the server (the card's `qr.modules`: a string a row, `1`
   * dark): drawn without encoding, which on a slow phone costs more than the drawing. Without
   * it the payload is encoded here (a coupon's code).
   */
  modules?: readonly string[] | undefined;
  label: string;
  /** Rendered width in CSS pixels. */
  size: number;
}

/**
 * A QR code as one SVG path (black modules on white, a 4-module quiet zone), drawn by React
 * rather than injected as markup. Error correction M: the till's scanner reads a phone screen.
 */
export function QrCode({ payload, modules, label, size }: QrCodeProps) {
  const { path, extent } = useMemo(() => {
    const rows = modules ?? encode(payload);
    return { path: modulesPath(rows), extent: rows.length + 8 };
  }, [payload, modules]);
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      data-payload={payload}
      width={size}
      height={size}
      viewBox={`0 0 ${extent} ${extent}`}
      shapeRendering="crispEdges"
    >
      <rect width={extent} height={extent} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
