-- 0005_mirror_fks: drop the episode and episode-file foreign keys straight
-- to connectors.
--
-- Episodes and their files already reach their connector through series,
-- whose foreign key cascades, so deleting a connector still deletes them.
-- The direct keys only made every sync merge check each row a second time:
-- measured with EXPLAIN (ANALYZE) on a 200,000-episode first sync, 3.1 s of
-- the 7.15 s episode merge and 1.9 s of the 3.1 s file merge were these
-- checks.  connector_id stays on both tables: the gap and upgrade indexes
-- are keyed on it.
ALTER TABLE episodes DROP CONSTRAINT episodes_connector_id_fkey;
ALTER TABLE episode_files DROP CONSTRAINT episode_files_connector_id_fkey;
