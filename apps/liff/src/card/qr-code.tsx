import qrcode from 'qrcode-generator';
import { useMemo } from 'react';

export interface QrCodeProps {
  payload: string;
  label: string;
  /** Rendered width in CSS pixels. */
  size: number;
}

/**
 * A QR code as one SVG path (black modules on white, a 4-module quiet zone), drawn by React
 * rather than injected as markup. Error correction M: the till's scanner reads a phone screen.
 */
export function QrCode({ payload, label, size }: QrCodeProps) {
  const { path, extent } = useMemo(() => {
    const qr = qrcode(0, 'M');
    qr.addData(payload);
    qr.make();
    const count = qr.getModuleCount();
    let d = '';
    for (let row = 0; row < count; row++) {
      for (let col = 0; col < count; col++) {
        if (qr.isDark(row, col)) d += `M${col + 4} ${row + 4}h1v1h-1z`;
      }
    }
    return { path: d, extent: count + 8 };
  }, [payload]);
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
