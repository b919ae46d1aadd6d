// Turns consecutive rows of one order into the API's OrderInput, checking each cell where it is:
// order columns on the order's first row, line item columns on each row.
import { normaliseIdentities } from '../customers/identities.ts';
import { OrderInput, OrderLineInput } from '../orders/order-schema.ts';
import { compileValidator } from '../shared/validate.ts';
import { type CsvHeader, cellOf, checkHeader, checkWidth } from './csv-header.ts';
import { type Parsed, parseAmount, parseQuantity } from './csv-values.ts';
import type { CellReader, ImportedCustomer, OrderFormat } from './order-formats.ts';
import type { CsvRecord } from './read-csv.ts';
import { type RowProblem, toRowProblems } from './row-problem.ts';

type OrderLine = OrderInput['lines'] extends (infer L)[] | undefined ? L : never;

const orderValidator = compileValidator<OrderInput>(OrderInput);
const lineValidator = compileValidator<OrderLine>(OrderLineInput);
const MAX_LINES = 500;

export function checkOrderHeader(header: CsvHeader, format: OrderFormat): RowProblem[] {
  return checkHeader(header, format.known, format.required, format.columns);
}

/** The rows of one order, in file order. */
export interface OrderGroup {
  id: string;
  records: CsvRecord[];
}

/** Groups consecutive records with the same order id. Holds one order's rows at a time. */
export async function* groupOrders(
  records: AsyncIterable<CsvRecord>,
  header: CsvHeader,
  format: OrderFormat,
): AsyncGenerator<OrderGroup> {
  let current: OrderGroup | undefined;
  for await (const record of records) {
    const id = cellOf(header, record, format.idColumn);
    if (current && id !== '' && id === current.id) {
      current.records.push(record);
      continue;
    }
    if (current) yield current;
    current = { id, records: [record] };
  }
  if (current) yield current;
}

export interface OrderUnit {
  line: number;
  input: OrderInput | undefined;
  /** The customer details of the row beyond identities (Shopify's billing name, consent, …). */
  customer: ImportedCustomer | undefined;
  problems: RowProblem[];
  /** Cells skipped without stopping the import (a bad LINE userId in the note attributes, …). */
  warnings: RowProblem[];
}

/** Problems of a column that failed to parse are not repeated by the schema ("is required"). */
function addDistinct(into: RowProblem[], more: RowProblem[]): void {
  for (const p of more) if (!into.some((q) => q.line === p.line && q.column === p.column)) into.push(p);
}

/**
 * Maps and checks one order. `seen` holds the ids of the orders read so far with their first
 * line (for 1M orders this Map is the one per-order state the importer keeps, some tens of MB).
 */
export function orderFromGroup(
  header: CsvHeader,
  group: OrderGroup,
  format: OrderFormat,
  context: { storeCodes: ReadonlySet<string>; seen: Map<string, number> },
): OrderUnit {
  const first = group.records[0]!;
  const problems: RowProblem[] = [];
  const warnings: RowProblem[] = [];
  const reader = (record: CsvRecord): CellReader => ({
    cell: (column) => cellOf(header, record, column),
    take: <T>(column: string, parse: (raw: string) => Parsed<T>): T | undefined => {
      const raw = cellOf(header, record, column);
      if (!raw) return undefined;
      const parsed = parse(raw);
      if (parsed.ok) return parsed.value;
      problems.push({ line: record.line, column, message: parsed.message });
      return undefined;
    },
    problem: (column, message) => problems.push({ line: record.line, column, message }),
    warn: (column, message) => warnings.push({ line: record.line, column, message }),
  });
  for (const record of group.records) {
    const wide = checkWidth(header, record);
    if (wide) problems.push(wide);
  }
  const head = format.head(reader(first));
  const customer = format.customer?.(reader(first));
  const earlier = context.seen.get(group.id);
  if (group.id && earlier !== undefined)
    problems.push({
      line: first.line,
      column: format.idColumn,
      message: `order "${group.id}" already appeared at line ${earlier}: the rows of one order must be consecutive`,
    });
  else if (group.id) context.seen.set(group.id, first.line);
  for (const record of group.records.slice(1)) {
    for (const column of format.orderColumns) {
      const value = cellOf(header, record, column);
      const expected = cellOf(header, first, column);
      if (value && value !== expected)
        problems.push({
          line: record.line,
          column,
          message: `"${value}" differs from "${expected}" on line ${first.line}, the first row of order "${group.id}"`,
        });
    }
  }
  const lines = group.records.flatMap((record) =>
    orderLine(record, format, head.currency ?? 'JPY', reader(record), problems),
  );
  if (lines.length > MAX_LINES)
    problems.push({
      line: first.line,
      column: format.idColumn,
      message: `more than ${MAX_LINES} line items`,
    });
  const input: OrderInput = lines.length ? { ...head, lines } : head;

  addDistinct(problems, toRowProblems(orderValidator.problems(head, ''), first.line, format.pathColumns));
  if (input.customer.id === undefined) {
    const { identities, problems: identityProblems } = normaliseIdentities(input.customer, 'customer');
    addDistinct(problems, toRowProblems(identityProblems, first.line, format.pathColumns));
    if (!identities.length && !identityProblems.length)
      problems.push({
        line: first.line,
        column: format.pathColumns.customer ?? '(row)',
        message: 'the customer needs an id or an identity',
      });
  }
  if (input.storeCode && !context.storeCodes.has(input.storeCode))
    problems.push({
      line: first.line,
      column: 'store_code',
      message: `no store with code "${input.storeCode}"`,
    });
  if (input.refundedAmount !== undefined && input.total !== undefined && input.refundedAmount > input.total)
    problems.push({
      line: first.line,
      column: format.pathColumns.refundedAmount ?? '(row)',
      message: `exceeds the order total (${input.total})`,
    });
  return { line: first.line, input: problems.length ? undefined : input, customer, problems, warnings };
}

/** The record's line item, or none when all its line item cells are empty. */
function orderLine(
  record: CsvRecord,
  format: OrderFormat,
  currency: string,
  read: CellReader,
  problems: RowProblem[],
): OrderLine[] {
  const columns = format.lineColumns;
  if (!Object.values(columns).some((column) => read.cell(column))) return [];
  const line: Record<string, unknown> = {
    sku: read.cell(columns.sku) || undefined,
    name: read.cell(columns.name) || undefined,
    quantity: read.take(columns.quantity, parseQuantity),
    unitPrice: read.take(columns.unitPrice, (raw) => parseAmount(raw, currency)),
    amount: columns.amount ? read.take(columns.amount, (raw) => parseAmount(raw, currency)) : undefined,
  };
  for (const key of Object.keys(line)) if (line[key] === undefined) delete line[key];
  const found = lineValidator.problems(line, '');
  const lineColumns: Record<string, string> = {
    sku: columns.sku,
    name: columns.name,
    quantity: columns.quantity,
    unitPrice: columns.unitPrice,
    ...(columns.amount ? { amount: columns.amount } : {}),
  };
  addDistinct(problems, toRowProblems(found, record.line, lineColumns));
  return found.length ? [] : [line as OrderLine];
}
