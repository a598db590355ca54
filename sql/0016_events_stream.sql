-- 0016: the live event stream (comradarr-serve's GET /api/events as
-- server-sent events).
--
-- The server keeps one connection that LISTENs on comradarr_events and
-- reads the outbox when told; every open stream is fed from that one read.
-- One notification per statement, not per row: a sync that writes a
-- thousand events wakes the reader once, and PostgreSQL folds identical
-- notifications of one transaction into one as well.  The notification is
-- delivered at commit, when the rows are visible; the reader still takes
-- only events of transactions older than every running one (the (xid, id)
-- order of 0010), so a long transaction's events are never skipped.
CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('comradarr_events', '');
	RETURN NULL;
END
$$;

CREATE TRIGGER events_notify AFTER INSERT ON events
	FOR EACH STATEMENT EXECUTE FUNCTION events_notify();
