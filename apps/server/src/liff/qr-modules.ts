// QR codes encoded on the server: the insert sheet's (PDF) and the membership card's, which the
// LIFF app draws from the modules without encoding (on a slow phone the encoding, with its
// mask selection, took a tenth of the card's 1.5 s budget: bench/liff/HISTORY.md, run 4).
import qrcode from 'qrcode-generator';

/** The QR modules of a text (error correction M), row by row, true for dark; no quiet zone. */
export function qrModules(text: string): boolean[][] {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const count = qr.getModuleCount();
  return Array.from({ length: count }, (_, row) =>
    Array.from({ length: count }, (_, col) => qr.isDark(row, col)),
  );
}

/** The same modules as the card's API sends them: a string a row, `1` dark and `0` light. */
export function qrRows(text: string): string[] {
  return qrModules(text).map((row) => row.map((dark) => (dark ? '1' : '0')).join(''));
}
