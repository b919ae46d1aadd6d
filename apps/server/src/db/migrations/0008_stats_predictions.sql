-- A copy of each customer's stored CLV prediction in customer_stats (src/analytics/customer-stats.ts),
-- for the incremental segment recompute: "at risk" (P(alive) < 0.5 with 2+ purchases) then reads
-- the figures with the customer's stats row, instead of one more index probe per customer
-- (measured: about a quarter of the evaluation's time for 10,000 customers). clv_prediction stays
-- the record (with the model id); the CLV refit copies it here after storing it, and a stats row
-- written from the order and visit tables takes its copy along.
alter table customer_stats
  add column p_alive double precision,
  add column expected_purchases_90d double precision,
  add column predicted_clv double precision,
  add column clv_percentile double precision;

update customer_stats s set p_alive = p.p_alive, expected_purchases_90d = p.expected_purchases_90d,
    predicted_clv = p.predicted_clv, clv_percentile = p.clv_percentile
  from clv_prediction p
  where p.workspace_id = s.workspace_id and p.customer_id = s.customer_id;
