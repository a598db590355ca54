/*
 * zones.h - comradarr-serve's warm time zones for the schedule views.
 *
 * Learning a zone's offsets costs a few milliseconds (lib/policy/tz.h: each
 * probe re-reads the zone file), which the dashboard's next sweeps and the
 * schedules page would pay on every request.  The server keeps one
 * struct sweep_zones for its lifetime instead, behind a mutex because the
 * views write to it as zones warm up: a handler takes it with
 * web_zones_take(), passes it to the sweep_* view functions, and gives it
 * back with web_zones_give() (the few milliseconds of a page at most).
 * Without a cache (tests, an allocation that failed) take returns NULL,
 * which the views read as "a pool of your own".
 */
#ifndef COMRADARR_WEB_ZONES_H
#define COMRADARR_WEB_ZONES_H

#include "stage/sweep.h"
#include "web/web.h"

struct web_zones;

struct web_zones *web_zones_new(void);
void web_zones_free(struct web_zones *z);

/* The request's server cache, locked; NULL when there is none. */
struct sweep_zones *web_zones_take(struct web_req *req);
/* Unlock what web_zones_take() returned (NULL: nothing to do). */
void web_zones_give(struct web_req *req, struct sweep_zones *pool);

#endif
