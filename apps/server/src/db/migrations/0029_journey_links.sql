-- Click tracking for journey sends (journeys/README.md, clicks/README.md): the public URL the
-- journey's redirects start with, stored when it is created as a campaign stores its own. Null
-- (journeys created before this migration, or by code without a public URL): links go as written.
alter table journey add column link_base text check (length(link_base) <= 2048);
