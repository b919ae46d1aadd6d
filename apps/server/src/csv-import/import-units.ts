// Reads a file as "units": one customer, or one order with its consecutive rows. Both import
// passes read the file through here, so they see exactly the same units and line numbers.
import type { CustomerInput } from '../customers/customer-schema.ts';
import type { Identity } from '../customers/identities.ts';
import type { OrderInput } from '../orders/order-schema.ts';
import { type CsvHeader, readHeader } from './csv-header.ts';
import { checkCustomerHeader, customerFromRecord } from './customer-rows.ts';
import {
  type ImportedCustomer,
  KIZUNA_ORDERS,
  type OrderFormat,
  type OrderFormatName,
} from './order-formats.ts';
import { checkOrderHeader, groupOrders, orderFromGroup } from './order-rows.ts';
import { type CsvEncoding, type CsvRecord, CsvSyntaxError, readCsv } from './read-csv.ts';
import type { RowProblem } from './row-problem.ts';
import { looksLikeShopify, SHOPIFY_ORDERS } from './shopify-orders.ts';

export type ImportKind = 'customers' | 'orders';

export type ImportUnit =
  | {
      kind: 'customers';
      line: number;
      records: CsvRecord[];
      input: CustomerInput | undefined;
      identities: Identity[];
      problems: RowProblem[];
      warnings?: undefined;
    }
  | {
      kind: 'orders';
      line: number;
      records: CsvRecord[];
      input: OrderInput | undefined;
      customer: ImportedCustomer | undefined;
      problems: RowProblem[];
      warnings: RowProblem[];
    };

export interface UnitSource {
  header: CsvHeader;
  format: OrderFormatName;
  /** Problems with the header itself; when there are any, `units` yields nothing. */
  headerProblems: RowProblem[];
  units: AsyncGenerator<ImportUnit>;
}

export interface UnitSourceOptions {
  file: string;
  kind: ImportKind;
  /** Omitted: Shopify when the header looks like Shopify's orders export, else Kizuna's own. */
  format?: OrderFormatName;
  encoding?: CsvEncoding;
  storeCodes: ReadonlySet<string>;
  onBytes?: (bytesRead: number) => void;
}

/** Opens the file, reads its header and returns the units to come. */
export async function openUnits(options: UnitSourceOptions): Promise<UnitSource> {
  const records = readCsv(options.file, {
    ...(options.encoding ? { encoding: options.encoding } : {}),
    ...(options.onBytes ? { onBytes: options.onBytes } : {}),
  });
  const first = await records.next();
  if (first.done) throw new CsvSyntaxError(1, 'the file is empty; the first line must be the header');
  const header = readHeader(first.value);
  if (options.kind === 'customers') {
    if (options.format === 'shopify')
      throw new CsvSyntaxError(
        1,
        '--format shopify reads orders exports; customers files use Kizuna columns',
      );
    const headerProblems = checkCustomerHeader(header);
    return {
      header,
      format: 'kizuna',
      headerProblems,
      units: customerUnits(header, records, options, headerProblems),
    };
  }
  const format: OrderFormat =
    (options.format ?? (looksLikeShopify(header.names) ? 'shopify' : 'kizuna')) === 'shopify'
      ? SHOPIFY_ORDERS
      : KIZUNA_ORDERS;
  const headerProblems = checkOrderHeader(header, format);
  return {
    header,
    format: format.name,
    headerProblems,
    units: orderUnits(header, records, format, options, headerProblems),
  };
}

async function* customerUnits(
  header: CsvHeader,
  records: AsyncGenerator<CsvRecord>,
  options: UnitSourceOptions,
  headerProblems: RowProblem[],
): AsyncGenerator<ImportUnit> {
  if (headerProblems.length) return void (await records.return(undefined));
  for await (const record of records) {
    const row = customerFromRecord(header, record, options.storeCodes);
    yield {
      kind: 'customers',
      line: row.line,
      records: [record],
      input: row.input,
      identities: row.identities,
      problems: row.problems,
    };
  }
}

async function* orderUnits(
  header: CsvHeader,
  records: AsyncGenerator<CsvRecord>,
  format: OrderFormat,
  options: UnitSourceOptions,
  headerProblems: RowProblem[],
): AsyncGenerator<ImportUnit> {
  if (headerProblems.length) return void (await records.return(undefined));
  const seen = new Map<string, number>();
  for await (const group of groupOrders(records, header, format)) {
    const unit = orderFromGroup(header, group, format, { storeCodes: options.storeCodes, seen });
    yield {
      kind: 'orders',
      line: unit.line,
      records: group.records,
      input: unit.input,
      customer: unit.customer,
      problems: unit.problems,
      warnings: unit.warnings,
    };
  }
}
