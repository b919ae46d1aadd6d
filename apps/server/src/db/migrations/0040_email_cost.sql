-- What one email costs the shop (its relay's price, e.g. ¥0.1), for the cost and the revenue per
-- yen in the results of campaigns and journeys. 0 (the default) for a relay that costs nothing
-- per message.
alter table email_sender
  add column yen_per_message numeric(10, 4) not null default 0
    check (yen_per_message >= 0 and yen_per_message <= 1000);
