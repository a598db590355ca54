/*
 * notify.h - which events a channel hears, when, and in what words
 * (Req 9.2-9.4; design reference, "Notification System Design").
 *
 * Pure: comradarr-notify loads outbox rows and a channel's settings from the
 * database (lib/db/notify.h), these functions decide, and lib/notify sends.
 * Time is a parameter (microseconds since the epoch, or seconds where the
 * calendar matters) and local time comes through a struct policy_tz, so
 * every decision can be tested without a clock or a TZ variable.
 *
 * The life of an event on a channel:
 *
 *   1. notify_filter_match(): its kind, severity and connector are selected;
 *   2. it waits in a group of its kind until the oldest member is
 *      batch_window old (notify_group_due()), then the group becomes one
 *      message, a digest when it holds more than one event
 *      (notify_render());
 *   3. during quiet hours (notify_quiet_check()) groups are held until the
 *      end and then sent as one digest each, or dropped;
 *   4. the message is sent when the hourly cap allows (notify_rate_next());
 *   5. a failed send is retried, given up, or stops the channel
 *      (notify_retry_decide()).
 */
#ifndef COMRADARR_POLICY_NOTIFY_H
#define COMRADARR_POLICY_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "policy/tz.h"

enum notify_severity {
	NOTIFY_INFO = 0,
	NOTIFY_WARNING,
	NOTIFY_ERROR
};

const char *notify_severity_name(enum notify_severity s);
int notify_severity_parse(const char *name, enum notify_severity *s);

/* One outbox row as the policy sees it; every pointer is borrowed. */
struct notify_event {
	int64_t id;
	const char *kind;
	int64_t connector_id;		/* 0: none */
	const char *connector_name;	/* NULL when none */
	const char *connector_type;
	int64_t created_us;
	const json_t *payload;		/* an object; NULL reads as {} */
};

/*
 * How serious an event is: errors are failures someone must fix (a refused
 * API key, a connector marked unhealthy, any "*_failed"), warnings are
 * things that slow the work down (a budget spent, a paused queue, a health
 * change away from healthy), everything else is information.
 */
enum notify_severity notify_event_severity(const struct notify_event *ev);

/*
 * Is kind in the selection a channel gets when the user named none?  The
 * outcomes people ask for (searches, discoveries, health, failures, the
 * results of maintenance and backups) but not the per-item stream of a
 * sync (item_added, file_gained, ...) nor the queue's bookkeeping.
 */
int notify_kind_default(const char *kind);

/* The kinds notify_kind_default() leaves out, NULL-terminated (so routing can
 * skip them in SQL instead of reading every item event of a big sync). */
const char *const *notify_kinds_not_default(void);

/* A kind the user may name: lowercase snake_case, at most 63 characters. */
int notify_kind_valid(const char *kind);

struct notify_filter {
	const char *const *kinds;	/* NULL: notify_kind_default(); "all" in it:
					   every kind */
	size_t nkinds;
	enum notify_severity min_severity;
	const int64_t *connectors;	/* NULL/0: every connector */
	size_t nconnectors;
};

/* Does the channel want this event?  An event without a connector passes a
 * connector filter: it concerns every connector (a paused queue). */
int notify_filter_match(const struct notify_filter *f, const struct notify_event *ev);

/*
 * Quiet hours, minutes of the local day [start, end): start > end wraps
 * midnight (22:00-07:00).  start == end is not accepted (a whole day is
 * "disable the channel").
 */
struct notify_quiet {
	int enabled;
	int start_min, end_min;		/* 0..1439 */
};

/* Parse "HH:MM-HH:MM" into q. */
int notify_quiet_parse(const char *text, struct notify_quiet *q, struct err *e);

/*
 * Is utc_s inside quiet hours in zone tz?  *quiet is set, and when it is,
 * *until_s is the first UTC second after them (the local end time on the
 * right day, DST included: a night that loses an hour ends an hour sooner in
 * UTC).  Returns 0, or -1 when the zone cannot answer.
 */
int notify_quiet_check(const struct notify_quiet *q, const struct policy_tz *tz, int64_t utc_s,
		       int *quiet, int64_t *until_s);

/* A group of one kind is due when its oldest event is window_s old. */
int notify_group_due(int64_t oldest_us, int window_s, int64_t now_us);

/*
 * The hourly cap: max_per_hour (0: none), how many messages were sent in
 * the hour before now_us and when the oldest of them was.  Returns now_us
 * when one more may go, else the time when the oldest leaves the hour.
 */
int64_t notify_rate_next(int max_per_hour, int sent_last_hour, int64_t oldest_sent_us,
			 int64_t now_us);

/* ------------------------------------------------------------ templates */

/*
 * The placeholders a template may use (design reference): {content_title},
 * {content_year}, {connector_name}, {connector_type}, {event_type},
 * {timestamp}, {statistics}, {url}.  A template is at most this many characters
 * (UTF-8 code points).
 */
#define NOTIFY_TEMPLATE_MAX 2000

/* An unknown {placeholder} or an unclosed brace is an error naming it. */
int notify_template_validate(const char *tmpl, struct err *e);

struct notify_text {
	char *title;		/* one line */
	char *body;		/* lines separated by '\n' */
};

void notify_text_release(struct notify_text *t);

/*
 * Render one message for evs[0..n), all of one kind, oldest first: one event
 * reads as its template (or the built-in sentence for its kind), several as
 * a digest, a summary line ("Found 15 missing items and 2 upgrades across 3
 * connectors") and the first NOTIFY_DIGEST_LINES events one per line.
 * tmpl may be NULL; base_url (NULL: none) fills {url}.  out's strings are
 * malloc'd (notify_text_release()).
 */
#define NOTIFY_DIGEST_LINES 10
int notify_render(const struct notify_event *evs, size_t n, const char *tmpl,
		  const char *base_url, struct notify_text *out, struct err *e);

/* ------------------------------------------------------------ retries */

enum notify_verdict {
	NOTIFY_SENT = 0,
	NOTIFY_RETRY,		/* try again at next_us */
	NOTIFY_FAILED,		/* give this message up (a 400, or too many tries) */
	NOTIFY_STOP		/* the channel itself is wrong (401, 403, 404, 410,
				   a refused login, a channel set up wrong or whose
				   credentials do not open): stop it until a user acts */
};

const char *notify_verdict_name(enum notify_verdict v);

#define NOTIFY_MAX_ATTEMPTS 8
#define NOTIFY_RETRY_BASE_MS 30000
#define NOTIFY_RETRY_MAX_MS (60 * 60 * 1000)

struct notify_decision {
	enum notify_verdict verdict;
	int attempts;		/* the counter to store */
	int64_t next_us;	/* NOTIFY_RETRY: when */
};

/*
 * What a send that ended with (kind, http_status, retry_after_ms) means for
 * a message tried attempts times before.  kind ERR_NONE is a success.  A
 * 429 waits for its Retry-After (at least a second, at most an hour) and
 * does not count as an attempt: the receiver asked us to wait, nothing is
 * wrong.  Other transient failures wait an exponential, jittered backoff
 * (lib/policy/backoff.h) and give up after NOTIFY_MAX_ATTEMPTS.
 */
void notify_retry_decide(enum err_kind kind, int http_status, long retry_after_ms, int attempts,
			 int64_t now_us, uint64_t seed, struct notify_decision *out);

#endif
