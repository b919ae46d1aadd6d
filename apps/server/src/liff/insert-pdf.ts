// The printable insert QR sheet: A4 portrait PDF, 3 × 4 cells a page, each with the order's QR
// code, its order number and a short instruction in Japanese, between light cutting lines.
//
// Written by hand rather than with a PDF library: the page is rectangles and a few lines of text.
// The QR modules are vector rectangles (sharp at any printer resolution). Japanese text uses
// HeiseiKakuGo-W5, one of the Japanese fonts every PDF reader knows without embedding (PDF 1.7,
// 9.7.5.2: the predefined CMap UniJIS-UTF16-H over Adobe-Japan1), so the file stays a few KB a
// page and no font file ships with Kizuna; the reader draws it with its own Gothic font.
import { deflateSync } from 'node:zlib';
import type { InsertSheetItem } from './insert-sheet.ts';
import { qrModules } from './qr-modules.ts';

const PAGE = { width: 595.28, height: 841.89 };
const COLUMNS = 3;
const ROWS = 4;
export const CELLS_PER_PAGE = COLUMNS * ROWS;
const MARGIN = 28;
const CELL = { width: (PAGE.width - 2 * MARGIN) / COLUMNS, height: (PAGE.height - 2 * MARGIN) / ROWS };
/** The QR code's side in points (42 mm); a version 6 code's module is then about 1 mm. */
export const QR_SIDE = 120;

/** The instruction under each code (Japanese first; the slip goes to Japanese customers). */
export const INSTRUCTION = ['LINEで読み取って友だち追加', 'ご注文と会員情報がつながり特典を受け取れます'];

const n = (value: number) => (Math.round(value * 100) / 100).toString();
/** A string as UTF-16BE hex, for the UniJIS-UTF16-H CMap. */
const utf16 = (text: string) => {
  let hex = '';
  for (const unit of Buffer.from(text, 'utf16le').swap16()) hex += unit.toString(16).padStart(2, '0');
  return `<${hex}>`;
};
/** Approximate width: ASCII half, everything else full (the font's CIDs 1–95 are 500 wide). */
const textWidth = (text: string, size: number) =>
  [...text].reduce((w, ch) => w + (ch.charCodeAt(0) < 0x7f ? 0.5 : 1), 0) * size;

function centredText(text: string, cx: number, y: number, size: number): string {
  return `BT /F1 ${size} Tf ${n(cx - textWidth(text, size) / 2)} ${n(y)} Td ${utf16(text)} Tj ET\n`;
}

function cellOps(item: InsertSheetItem, x: number, top: number): string {
  const modules = qrModules(item.url);
  const unit = QR_SIDE / modules.length;
  const qx = x + (CELL.width - QR_SIDE) / 2;
  const qTop = top - 18;
  let ops = '0 g\n';
  // One rectangle per horizontal run of dark modules: about half the operators of one per module.
  for (const [row, cells] of modules.entries()) {
    for (let col = 0; col < cells.length; col++) {
      if (!cells[col]) continue;
      let end = col;
      while (cells[end + 1]) end++;
      ops += `${n(qx + col * unit)} ${n(qTop - (row + 1) * unit)} ${n((end - col + 1) * unit)} ${n(unit)} re\n`;
      col = end;
    }
  }
  ops += 'f\n';
  const cx = x + CELL.width / 2;
  ops += centredText(`注文番号 ${item.orderNumber}`, cx, qTop - QR_SIDE - 18, 10);
  ops += centredText(INSTRUCTION[0]!, cx, qTop - QR_SIDE - 34, 8);
  ops += centredText(INSTRUCTION[1]!, cx, qTop - QR_SIDE - 46, 7.5);
  return ops;
}

function pageOps(items: InsertSheetItem[]): string {
  // Cutting lines: light grey, dashed, between the cells.
  let ops = '0.75 G 0.5 w [3 3] 0 d\n';
  for (let c = 0; c <= COLUMNS; c++) {
    const x = MARGIN + c * CELL.width;
    ops += `${n(x)} ${MARGIN} m ${n(x)} ${n(PAGE.height - MARGIN)} l S\n`;
  }
  for (let r = 0; r <= ROWS; r++) {
    const y = MARGIN + r * CELL.height;
    ops += `${MARGIN} ${n(y)} m ${n(PAGE.width - MARGIN)} ${n(y)} l S\n`;
  }
  ops += '[] 0 d\n';
  for (const [i, item] of items.entries()) {
    const x = MARGIN + (i % COLUMNS) * CELL.width;
    const top = PAGE.height - MARGIN - Math.floor(i / COLUMNS) * CELL.height;
    ops += cellOps(item, x, top);
  }
  return ops;
}

/** The sheet as a PDF file: one A4 page per 12 orders, in the list's order. */
export function insertSheetPdf(items: InsertSheetItem[]): Buffer {
  const pages: InsertSheetItem[][] = [];
  for (let i = 0; i < items.length; i += CELLS_PER_PAGE) pages.push(items.slice(i, i + CELLS_PER_PAGE));
  // Objects: 1 catalog, 2 pages, 3 font, 4 CID font, 5 descriptor, then a page and its content each.
  const objects: (string | Buffer)[] = [];
  const kids = pages.map((_, i) => `${6 + 2 * i} 0 R`).join(' ');
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  objects.push(
    '<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiKakuGo-W5 /Encoding /UniJIS-UTF16-H /DescendantFonts [4 0 R] >>',
  );
  objects.push(
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiKakuGo-W5 ' +
      '/CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> /FontDescriptor 5 0 R ' +
      '/DW 1000 /W [1 95 500] >>',
  );
  objects.push(
    '<< /Type /FontDescriptor /FontName /HeiseiKakuGo-W5 /Flags 4 /FontBBox [-92 -250 1010 922] ' +
      '/ItalicAngle 0 /Ascent 752 /Descent -271 /CapHeight 737 /StemV 116 >>',
  );
  for (const [i, page] of pages.entries()) {
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] ` +
        `/Resources << /Font << /F1 3 0 R >> >> /Contents ${7 + 2 * i} 0 R >>`,
    );
    const stream = deflateSync(Buffer.from(pageOps(page), 'latin1'));
    objects.push(
      Buffer.concat([
        Buffer.from(`<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`),
        stream,
        Buffer.from('\nendstream'),
      ]),
    );
  }
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  for (const [i, body] of objects.entries()) {
    const chunk = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`),
      Buffer.from(body),
      Buffer.from('\nendobj\n'),
    ]);
    offsets.push(offset);
    offset += chunk.length;
    parts.push(chunk);
  }
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`;
  parts.push(Buffer.from(xref));
  return Buffer.concat(parts);
}
