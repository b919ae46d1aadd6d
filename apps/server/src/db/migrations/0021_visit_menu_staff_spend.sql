-- Visits as a salon or cafe knows them (issue #17 item 5): what was had (menu items), who served
-- (staff) and what was paid (spend, integer yen), so that "visits, menu and spend" work for a
-- shop without an order system. Products get a category for the segment conditions on what a
-- customer bought (item 6). Every key leads with workspace_id (see 0001_core.sql).

-- staff: the staff member's name or code as the till or booking system writes it (no roster
-- table: see src/visits/README.md). spend: what the visit cost the customer, in yen; the visits
-- API fills it from the menu items' prices when it is not given. order_external_id: the client's
-- order id (customer_order.external_id) when the visit was paid through an order that is sent too;
-- such a visit's spend is not added to the customer's historical LTV, which counts the order.
alter table visit
  add column staff text,
  add column spend bigint not null default 0 check (spend >= 0),
  add column order_external_id text;

-- The menu items of one visit, in the order given (カット, カラー, ブレンドコーヒー …).
create table visit_menu_item (
  workspace_id uuid not null,
  visit_id bigint not null,
  line_no integer not null,
  name text not null,
  -- The shop's menu code or product SKU, when it has one.
  code text,
  category text,
  -- Unit price in yen, when known.
  price bigint check (price >= 0),
  quantity integer not null default 1 check (quantity > 0),
  primary key (workspace_id, visit_id, line_no),
  foreign key (workspace_id, visit_id) references visit (workspace_id, id) on delete cascade
);

-- A product's category (コーヒー豆, ギフト …): "bought anything of category X" in segments.
alter table product add column category text;
