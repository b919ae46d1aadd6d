// `kizuna liff insert-qr --orders FILE [--out sheet.pdf]`: the printable insert QR sheet (同梱物)
// for a batch of orders. Exit codes: 0 written, 1 refused (a bad line, no LIFF app), 2 usage.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { pickWorkspace, WorkspaceChoiceError } from '../csv-import/pick-workspace.ts';
import { migrate } from '../db/migrate.ts';
import { type Database, openConfiguredDatabase } from '../db/open-database.ts';
import { DomainError } from '../shared/domain-error.ts';
import { createSecretBox, loadOrCreateKeyFile, type SecretBox } from '../shared/secret-box.ts';
import { CELLS_PER_PAGE, insertSheetPdf } from './insert-pdf.ts';
import { insertSheetItems, parseOrderList } from './insert-sheet.ts';

export const LIFF_USAGE = `usage: kizuna liff insert-qr --orders FILE [--out FILE.pdf] [--liff-id ID] [--workspace ID]

  insert-qr   a printable A4 PDF of insert QR codes (同梱物), 12 a page: one per order in FILE
              (order numbers or Kizuna order ids, one a line or the first column of a CSV; a
              header row such as order_id or 注文番号 is skipped). Scanning one in LINE adds the
              friend, links the order's customer and grants the coupon set in
              PUT /v1/liff/insert-settings, once per order. --out defaults to insert-qr.pdf.`;

type Print = (line: string) => void;

export interface InsertQrOptions {
  orders: string;
  out: string;
  liffId?: string | undefined;
  workspace?: string | undefined;
}

/** Writes the sheet for an open database (the tests call this directly). */
export async function writeInsertQrSheet(
  database: Database,
  secrets: SecretBox,
  options: InsertQrOptions,
  print: Print = console.log,
): Promise<number> {
  const workspaceId = await pickWorkspace(database.db, options.workspace);
  const text = readFileSync(options.orders === '-' ? 0 : options.orders, 'utf8');
  const items = await insertSheetItems(
    database.db,
    secrets,
    workspaceId,
    parseOrderList(text),
    options.liffId,
  );
  writeFileSync(options.out, insertSheetPdf(items));
  const pages = Math.ceil(items.length / CELLS_PER_PAGE);
  print(`${options.out}: ${items.length} insert QR codes on ${pages} A4 page${pages === 1 ? '' : 's'}`);
  return 0;
}

export async function runLiffCli(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  const parse = (args: string[]) =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        orders: { type: 'string' },
        out: { type: 'string', default: 'insert-qr.pdf' },
        'liff-id': { type: 'string' },
        workspace: { type: 'string' },
      },
    });
  try {
    parsed = parse(argv);
  } catch (error) {
    console.error(`kizuna liff: ${(error as Error).message}\n\n${LIFF_USAGE}`);
    return 2;
  }
  const [command] = parsed.positionals;
  if (command !== 'insert-qr' || !parsed.values.orders) {
    if (command === 'help' || argv.includes('--help')) {
      console.log(LIFF_USAGE);
      return 0;
    }
    console.error(
      `kizuna liff: ${command === 'insert-qr' ? '--orders FILE is required' : 'unknown command'}\n\n${LIFF_USAGE}`,
    );
    return 2;
  }
  if (!parsed.values.out.toLowerCase().endsWith('.pdf')) {
    console.error('kizuna liff: --out: the sheet is a PDF; name the file *.pdf');
    return 2;
  }
  const config = loadConfig(process.env);
  const key = config.secretKey ?? (config.databaseUrl ? undefined : loadOrCreateKeyFile(config.dataDir));
  if (!key) {
    console.error(
      'kizuna liff: KIZUNA_SECRET_KEY is required with DATABASE_URL (the codes are signed with it)',
    );
    return 1;
  }
  const database = await openConfiguredDatabase(config);
  try {
    await migrate(database);
    return await writeInsertQrSheet(database, createSecretBox(key), {
      orders: parsed.values.orders,
      out: parsed.values.out,
      liffId: parsed.values['liff-id'],
      workspace: parsed.values.workspace,
    });
  } catch (error) {
    if (
      error instanceof DomainError ||
      error instanceof WorkspaceChoiceError ||
      (error as { code?: string }).code === 'ENOENT'
    ) {
      console.error(`kizuna liff: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
