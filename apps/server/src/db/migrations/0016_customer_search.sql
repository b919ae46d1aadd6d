-- Customer search (customers/search-customers.ts): normalised keys that a prefix search reads as
-- an index range scan.
--
-- search_key() folds the ways one name is written into one key: NFKC turns half-width katakana
-- (ﾀﾅｶ, ﾀﾞ) and full-width Latin letters and digits into their usual forms, hiragana becomes
-- katakana (たなか → タナカ), ASCII letters are lower-cased and spaces (a full-width space is one
-- after NFKC) are dropped. customers/search-key.ts applies the same steps to the query; a test
-- compares the two on the same strings.
--
-- The keys are generated columns, so every write path (the API's upsert, the CSV import's batch
-- insert, a merge's profile patch, the demo loader) keeps them in step without knowing they
-- exist. They are collated "C": a prefix is then a byte range (key >= prefix and key < the next
-- prefix), which a plain btree answers without text_pattern_ops or pg_trgm (not in PGlite).
create function search_key(value text) returns text
  language sql immutable strict parallel safe
  as $$
    select translate(
      regexp_replace(lower(normalize(value, NFKC) collate "C"), '[ \t\n\r\f\v]', '', 'g'),
      'ぁあぃいぅうぇえぉおかがきぎくぐけげこごさざしじすずせぜそぞただちぢっつづてでとどなにぬねのはばぱひびぴふぶぷへべぺほぼぽまみむめもゃやゅゆょよらりるれろゎわゐゑをんゔゕゖゝゞ',
      'ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅテデトドナニヌネノハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロヮワヰヱヲンヴヵヶヽヾ')
  $$;

-- Family name then given name (so a family-name prefix and a full-name prefix both match), and
-- the given name alone; the same for the kana reading.
alter table customer
  add column search_name text collate "C"
    generated always as (search_key(coalesce(family_name, '') || coalesce(given_name, ''))) stored,
  add column search_given_name text collate "C"
    generated always as (search_key(given_name)) stored,
  add column search_kana text collate "C"
    generated always as (search_key(coalesce(family_name_kana, '') || coalesce(given_name_kana, ''))) stored,
  add column search_given_kana text collate "C"
    generated always as (search_key(given_name_kana)) stored;

-- Live customers only (merged records are never found); id last so that the scan answers with
-- customer ids from the index alone.
create index customer_search_name_idx on customer (workspace_id, search_name, id)
  where merged_into_id is null;
create index customer_search_given_name_idx on customer (workspace_id, search_given_name, id)
  where merged_into_id is null;
create index customer_search_kana_idx on customer (workspace_id, search_kana, id)
  where merged_into_id is null;
create index customer_search_given_kana_idx on customer (workspace_id, search_given_kana, id)
  where merged_into_id is null;

-- Identities by value prefix within a kind (email lower-cased, phone E.164, external ids of every
-- namespace). The primary key leads with namespace and uses the database's collation, under
-- which a prefix is not a range.
create index customer_identity_search_idx on customer_identity (workspace_id, kind, (value collate "C"))
  include (customer_id);

-- Read by loyalty/member-search.ts and line/friend-search.ts, which own these tables.
create index loyalty_member_search_idx on loyalty_member (workspace_id, (member_no collate "C"))
  include (customer_id);
create index line_friend_search_idx on line_friend (workspace_id, (search_key(display_name) collate "C"))
  include (customer_id);
