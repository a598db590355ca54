-- 0017_sweep_progress: how far a running sweep has got (Req 15: the
-- dashboard shows the sweep running and its progress).
--
-- A sweep writes these as it goes (lib/stage/sweep.c): one short UPDATE of
-- its own schedule_runs row when it starts a connector's discover, when it
-- starts the enqueue, and when the connector is done, outside any long
-- transaction so a reader sees them at once.  found and queued count up
-- the same way; the final figures are still written by the finish.
ALTER TABLE schedule_runs
	ADD COLUMN stage text CHECK (stage IN ('discover', 'enqueue')),
	ADD COLUMN current_connector text,
	ADD COLUMN connectors_total integer CHECK (connectors_total >= 0),
	ADD COLUMN connectors_done integer CHECK (connectors_done >= 0),
	ADD COLUMN progress_at timestamptz;
