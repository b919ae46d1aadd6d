/**
 * The RFM summary the CLV models fit on, built in SQL from orders: one row per buyer, in JST
 * calendar days. Orders count only with status 'completed'; revenue is total − refunded_amount;
 * same-day orders merge into one purchase (as the models expect).
 *
 * For the calibration-vs-holdout check, the same pass also gives each buyer's figures as of the
 * calibration end (`*Cal`) and the purchase days after it (`holdout`).
 */

import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { jstDay } from '../shared/japan-time.ts';

export interface ClvSummary {
  customerId: Float64Array;
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** Mean revenue of the repeat purchase days (0 when x = 0). */
  monetary: Float64Array;
  /** Mean revenue per purchase day, first included (the historical fallback's spend). */
  meanSpend: Float64Array;
  /** Calibration figures; T_cal < 0 marks a buyer whose first purchase is after the calibration end. */
  xCal: Float64Array;
  txCal: Float64Array;
  TCal: Float64Array;
  holdout: Float64Array;
}

/**
 * One pass over the workspace's completed orders before `end`. `calibrationEnd` is a JST date:
 * purchase days before it are calibration, on or after it holdout.
 */
export async function buildClvSummary(
  db: Kysely<DB>,
  workspaceId: string,
  end: Date,
  calibrationEnd: string,
): Promise<ClvSummary> {
  const today = jstDay(end);
  // One statement sorts every order of the workspace: with the default 4 MB of work_mem it
  // spills to disk many times over at a million buyers.
  const { rows } = await db.transaction().execute(async (tx) => {
    await sql`set local work_mem = '256MB'`.execute(tx);
    return sql<{
      c: number;
      x: number;
      tx: number;
      t: number;
      m: number;
      s: number;
      xc: number;
      txc: number;
      tc: number;
      h: number;
    }>`
    with d as (
      select customer_id, (ordered_at at time zone 'Asia/Tokyo')::date as day,
        sum(total - refunded_amount)::float8 as amount
      from customer_order
      where workspace_id = ${workspaceId} and status = 'completed' and ordered_at < ${end}::timestamptz
      group by 1, 2),
    f as (select d.*, min(day) over (partition by customer_id) as first_day from d)
    select customer_id as c,
      count(*) - 1 as x,
      max(day) - first_day as tx,
      ${today}::date - first_day as t,
      coalesce(sum(amount) filter (where day > first_day) / nullif(count(*) - 1, 0), 0) as m,
      sum(amount) / count(*) as s,
      count(*) filter (where day < ${calibrationEnd}::date) - 1 as xc,
      coalesce(max(day) filter (where day < ${calibrationEnd}::date) - first_day, 0) as txc,
      ${calibrationEnd}::date - first_day as tc,
      count(*) filter (where day >= ${calibrationEnd}::date) as h
    from f group by customer_id, first_day`.execute(tx);
  });
  const n = rows.length;
  const out: ClvSummary = {
    customerId: new Float64Array(n),
    x: new Float64Array(n),
    tx: new Float64Array(n),
    T: new Float64Array(n),
    monetary: new Float64Array(n),
    meanSpend: new Float64Array(n),
    xCal: new Float64Array(n),
    txCal: new Float64Array(n),
    TCal: new Float64Array(n),
    holdout: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    out.customerId[i] = Number(r.c);
    out.x[i] = Number(r.x);
    out.tx[i] = Number(r.tx);
    out.T[i] = Number(r.t);
    out.monetary[i] = Number(r.m);
    out.meanSpend[i] = Number(r.s);
    out.xCal[i] = Math.max(0, Number(r.xc));
    out.txCal[i] = Number(r.txc);
    out.TCal[i] = Number(r.tc);
    out.holdout[i] = Number(r.h);
  }
  return out;
}
