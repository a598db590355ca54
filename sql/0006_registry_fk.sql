-- 0006_registry_fk: drop the search registry's foreign key straight to
-- connectors.
--
-- An entry reaches its connector through its episode or movie, whose
-- foreign keys cascade (episodes through series), so deleting a connector
-- still deletes its entries.  The direct key only made discover check each
-- new entry a second time: 0.7 s of the 2.9 s spent creating the 109k
-- entries of tests/bench/bench_discover.c (EXPLAIN ANALYZE's trigger
-- times).  connector_id stays: the registry's indexes are keyed on it.
ALTER TABLE search_registry DROP CONSTRAINT search_registry_connector_id_fkey;
