-- Unpaid orders and the billing postal code (issue #17 item 3, apps/server/src/csv-import/README.md).
--
-- * customer_order.status gains 'pending': an order placed but not paid (Shopify's financial
--   status pending, authorized or partially_paid). Like cancelled and refunded it is no revenue:
--   every reader that counts orders reads status = 'completed' only (customer_stats, CLV,
--   segments, points, stamps; the spend tier basis reads completed and refunded). When a later
--   write says paid, the order moves to completed (one order_history status_changed row) and
--   counts from then on.
-- * customer_order.financial_status keeps the payment status exactly as the source said it
--   (Shopify: pending, authorized, partially_paid, paid, partially_refunded, refunded, voided,
--   expired); null when the source has none (Kizuna's own API and CSV without it).
-- * customer.postal_code: the postal code as 123-4567 (the Shopify import fills it from the
--   billing address).
alter table customer_order drop constraint customer_order_status_check;
alter table customer_order add constraint customer_order_status_check
  check (status in ('pending', 'completed', 'cancelled', 'refunded'));
alter table customer_order add column financial_status text;

alter table customer add column postal_code text;
