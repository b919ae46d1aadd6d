// QR modules and their SVG path (qr-code.tsx draws them).
import qrcode from 'qrcode-generator';

/** The payload encoded here (error correction M), in the card API's form: a string a row, `1` dark. */
export function encode(payload: string): string[] {
  const qr = qrcode(0, 'M');
  qr.addData(payload);
  qr.make();
  const count = qr.getModuleCount();
  return Array.from({ length: count }, (_, row) => {
    let line = '';
    for (let col = 0; col < count; col++) line += qr.isDark(row, col) ? '1' : '0';
    return line;
  });
}

/**
 * The SVG path of the modules, offset by a 4-module quiet zone: one rectangle per horizontal run
 * of dark modules (a third of the segments of one per module, less for a slow phone to parse
 * and fill).
 */
export function modulesPath(rows: readonly string[]): string {
  let d = '';
  rows.forEach((line, row) => {
    for (let col = line.indexOf('1'); col !== -1; ) {
      let end = line.indexOf('0', col);
      if (end === -1) end = line.length;
      d += `M${col + 4} ${row + 4}h${end - col}v1h-${end - col}z`;
      col = line.indexOf('1', end);
    }
  });
  return d;
}
