-- 0014: what the web UI's dashboard draws that no other table keeps.
--
-- Library completion per connector, one row a day (Req 15.4's trend
-- sparkline): the dashboard records today's figures when it reads them (an
-- upsert of a few rows), so the trend needs no scan of the mirror's past.
CREATE TABLE completion_history (
	connector_id bigint NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
	day date NOT NULL,
	have bigint NOT NULL CHECK (have >= 0),
	total bigint NOT NULL CHECK (total >= have),
	PRIMARY KEY (connector_id, day)
);

-- The analytics page's "hardest to find" (Req 20.3): the entries searched
-- most often, read from the top of this index instead of a registry scan.
-- Only entries searched at least once are in it.
CREATE INDEX search_registry_attempts ON search_registry (attempts DESC, id)
	WHERE attempts > 0;
