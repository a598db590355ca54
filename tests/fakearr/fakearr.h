/*
 * fakearr.h - the fake *arr server's shared state and the functions its
 * files call in each other.
 *
 * The library is kept as arrays of compact structs, never as JSON trees, so
 * a million episodes take ~40 MB and answers are rendered (and streamed)
 * from them on demand.  Ids are array index + 1 and items are never moved:
 * a removed item is marked `removed`, so a stream that holds an index stays
 * valid while the library changes under it.
 *
 * Everything in struct fa_state is guarded by st->mu; every function below
 * that takes a state expects the caller to hold it, except where it says.
 */
#ifndef FAKEARR_FAKEARR_H
#define FAKEARR_FAKEARR_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"
#include "jw.h"

enum fa_app { FA_SONARR, FA_RADARR, FA_WHISPARR2, FA_WHISPARR3, FA_PROWLARR };

struct fa_opts {
	enum fa_app app;
	int port;
	const char *bind;
	const char *api_key;
	uint64_t seed;
	int series, seasons, episodes, movies;
	double missing, cutoff, cf_below, unmonitored, unaired, grab, import;
	int specials;
	const char *version;
	long command_ms;
};

struct fa_series {
	int id, profile_id, year;
	int first_ep, n_eps;	/* episodes[first_ep .. first_ep+n_eps) */
	uint8_t monitored, removed;
	int64_t added_us;
};

struct fa_episode {
	int id, series_id, file_id;
	int16_t season, number;
	uint8_t monitored, removed;
	int64_t air_us, last_search_us, grab_us;
};

/* An episode file or a movie file (owner is the episode or the movie). */
struct fa_file {
	int id, owner_id, quality_id, cf_score;
	uint8_t removed;
	int64_t size, added_us;
};

struct fa_movie {
	int id, profile_id, file_id, year;
	uint8_t monitored, available, removed, scene;
	int64_t release_us, added_us, last_search_us;
};

enum fa_cmd_kind {
	FA_CMD_EPISODE, FA_CMD_SEASON, FA_CMD_SERIES, FA_CMD_MOVIES, FA_CMD_OTHER
};

struct fa_command {
	int id;
	enum fa_cmd_kind kind;
	char name[48];
	int *ids, n_ids;	/* episodeIds / movieIds */
	int series_id, season;
	int64_t queued_us;
	int done;		/* completion side effects applied */
	int reports;		/* grabs made on completion */
	char *user_agent;
};

enum fa_event { FA_EV_GRABBED = 1, FA_EV_IMPORTED = 3, FA_EV_FAILED = 4 };

struct fa_hist {
	int id, event, item_id, series_id, season, quality_id, cf_score;
	int64_t date_us;
	int queue_id;
};

struct fa_queue {
	int id, item_id, series_id, season, quality_id, hist_id;
	int64_t added_us, import_at_us;
	uint8_t active;
};

enum fa_fault_kind {
	FA_F_AUTH, FA_F_STARTUP, FA_F_5XX, FA_F_LATENCY, FA_F_RATELIMIT,
	FA_F_UNKNOWN, FA_F_MISSING, FA_F_TRUNCATE, FA_F_DROP, FA_F_MAX
};

struct fa_fault {
	enum fa_fault_kind kind;
	char path[128];		/* prefix; "" = every /api path */
	char method[8];		/* "" = any method */
	int before;		/* latency: before the request is acted on
				 * (it reaches the app late), not after */
	long count;		/* requests left; -1 = until cleared */
	double rate;		/* status5xx: share of requests that fail */
	long ms;		/* latency */
	long every;		/* missing_fields */
	char retry_after[64];
	int status;		/* status5xx: the status to answer (500) */
};

#define FA_MAX_FAULTS 32

/* A growable array of fixed-size elements. */
struct fa_vec {
	void *v;
	size_t n, cap, size;
};

struct fa_state {
	pthread_mutex_t mu;
	struct fa_opts o;
	int64_t start_us;
	int64_t now_us;		/* the clock when this request began (fa_tick) */
	struct fa_vec series, episodes, files, movies;
	struct fa_vec commands;	/* struct fa_command */
	struct fa_vec hist, queue;
	json_t *ledger;		/* array of {seq, at_us, name, body, id} */
	long ledger_seq;
	struct fa_fault faults[FA_MAX_FAULTS];
	int n_faults;
	uint64_t fault_rng;
	json_t *health, *indexerstatus;
	uint64_t requests, bytes_sent;
	json_t *by_path;
};

#define FA_SERIES(st, i) (&((struct fa_series *)(st)->series.v)[i])
#define FA_EP(st, i) (&((struct fa_episode *)(st)->episodes.v)[i])
#define FA_FILE(st, i) (&((struct fa_file *)(st)->files.v)[i])
#define FA_MOVIE(st, i) (&((struct fa_movie *)(st)->movies.v)[i])
#define FA_CMD(st, i) (&((struct fa_command *)(st)->commands.v)[i])
#define FA_HIST(st, i) (&((struct fa_hist *)(st)->hist.v)[i])
#define FA_QUEUE(st, i) (&((struct fa_queue *)(st)->queue.v)[i])

/* ---- vec.c / library.c: the library */
void fa_vec_init(struct fa_vec *v, size_t size);
/* A zeroed new element at the end, or NULL when memory ran out. */
void *fa_vec_push(struct fa_vec *v);
void fa_vec_free(struct fa_vec *v);

uint64_t fa_hash(uint64_t a, uint64_t b, uint64_t c);
/* A deterministic number in [0, 1) from three inputs. */
double fa_unit(uint64_t a, uint64_t b, uint64_t c);

/* Build the whole library from st->o (st->o and start_us already set). */
int fa_library_generate(struct fa_state *st);
/* Lookups by id; NULL when unknown or removed. */
struct fa_series *fa_series_get(struct fa_state *st, int id);
struct fa_episode *fa_episode_get(struct fa_state *st, int id);
struct fa_file *fa_file_get(struct fa_state *st, int id);
struct fa_movie *fa_movie_get(struct fa_state *st, int id);
/* Append a series (with its seasons and episodes) or a movie. */
struct fa_series *fa_series_add(struct fa_state *st, uint64_t seed);
struct fa_movie *fa_movie_add(struct fa_state *st, uint64_t seed);
/* Give an item a new file (replacing any old one); returns the file. */
struct fa_file *fa_file_attach(struct fa_state *st, int is_movie, int owner_id,
			       int quality_id, int cf_score);
void fa_file_detach(struct fa_state *st, int is_movie, int owner_id);
void fa_series_remove(struct fa_state *st, int id);

/* ---- quality.c: qualities and profiles */
struct fa_quality {
	int id;
	const char *name, *tv_source, *movie_source;
	int resolution;
};
#define FA_PROFILE_CUTOFF_FORMAT_SCORE 100
const struct fa_quality *fa_quality_get(int id);
/* Position in profile 1's order; higher is better. */
int fa_quality_rank(int id);
int fa_quality_cutoff_met(int quality_id);
/* The predicates the wanted endpoints and the summary agree on. */
int fa_ep_is_missing(struct fa_state *st, const struct fa_episode *ep, int monitored);
int fa_ep_is_cutoff(struct fa_state *st, const struct fa_episode *ep, int monitored);
int fa_movie_is_missing(struct fa_state *st, const struct fa_movie *m, int monitored);
int fa_movie_is_cutoff(struct fa_state *st, const struct fa_movie *m, int monitored);
int fa_file_cf_below(const struct fa_file *f);
void fa_render_profiles(struct fa_state *st, struct jw *w);
/* A QualityModel member named "quality". */
void fa_render_quality_model(struct fa_state *st, struct jw *w, int quality_id);

/* ---- render.c: resources, shaped per app */
enum fa_rec {
	FA_REC_SERIES, FA_REC_EPISODE, FA_REC_EPFILE, FA_REC_MOVIE,
	FA_REC_HISTORY, FA_REC_QUEUE, FA_REC_DUMP,
	FA_REC_MOVIEFILE	/* a movie's file, by file id (/moviefile) */
};
#define FA_WITH_FILE    0x01u	/* episode: includeEpisodeFile */
#define FA_WITH_SERIES  0x02u	/* episode/history/queue: includeSeries */
#define FA_FULL_FILE    0x04u	/* movie: movieFile with customFormats */
#define FA_WITH_EPISODE 0x08u	/* history/queue: includeEpisode */
#define FA_WITH_MOVIE   0x10u	/* history/queue: includeMovie */
#define FA_DROP_REQUIRED 0x100u	/* fault: leave out id and title */
#define FA_ADD_UNKNOWN  0x200u	/* fault: add fields no spec has */

int fa_app_is_tv(const struct fa_state *st);
int fa_app_is_movie(const struct fa_state *st);
/* Render one record at the writer's position; returns 0, or 1 when the
 * item no longer exists (nothing written). */
int fa_render(struct fa_state *st, struct jw *w, enum fa_rec kind, int id,
	      unsigned flags);
void fa_render_command(struct fa_state *st, struct jw *w, struct fa_command *c);
void fa_render_status(struct fa_state *st, struct jw *w);

/* ---- stream.c: big answers sent piece by piece */
struct fa_stream;
/*
 * A stream of records; ids is taken over (freed by the stream).  prefix
 * (ending with the list's "[") and suffix (after its "]") are copied;
 * records are written at depth `depth`.  FA_REC_DUMP ignores ids and
 * writes the whole library as JSON lines.
 */
struct fa_stream *fa_stream_new(struct fa_state *st, enum fa_rec kind,
				int *ids, size_t n, unsigned flags,
				const char *prefix, const char *suffix, int depth);
void fa_stream_set_faults(struct fa_stream *s, long missing_every, int unknown,
			  int truncate);
void fa_stream_free(struct fa_stream *s);
/* The libmicrohttpd content reader callbacks (they take st->mu). */
ssize_t fa_stream_read(void *cls, uint64_t pos, char *out, size_t max);
void fa_stream_done(void *cls);

/* ---- http.c: one request's answer */
struct fa_reply {
	int status;
	struct buf body;
	struct fa_stream *stream;
	const char *content_type;
	char location[128];
	char retry_after[64];
	int drop;		/* close the connection without answering */
};

/* A request as the handlers see it. */
struct fa_req {
	void *conn;		/* struct MHD_Connection */
	const char *method, *path;
	const char *body;	/* NUL-terminated; "" when none */
	size_t body_len;
	unsigned fault_flags;	/* FA_DROP_REQUIRED | FA_ADD_UNKNOWN */
	long missing_every;
	int truncate;
};
const char *fa_req_arg(const struct fa_req *r, const char *name);
/* Parse an integer argument; returns def when absent, -1 and sets *bad when
 * present but not a number. */
long fa_req_long(const struct fa_req *r, const char *name, long def, int *bad);
int fa_req_bool(const struct fa_req *r, const char *name, int def);

void fa_reply_json(struct fa_reply *rp, int status, json_t *v);	/* steals v */
void fa_reply_error(struct fa_reply *rp, int status, const char *message);
/* A writer on rp->body at depth 0 for a small answer. */
void fa_reply_jw(struct fa_reply *rp, struct jw *w, int status);

/* Start serving st on st->o.bind:st->o.port; *port gets the real port.
 * Returns the daemon (struct MHD_Daemon *) or NULL with errbuf filled. */
void *fa_http_start(struct fa_state *st, int *port, char *errbuf, size_t errsize);
void fa_http_stop(void *daemon);

/* ---- api_*.c: routes; each returns 1 when it handled the path */
int fa_api_tv(struct fa_state *st, struct fa_req *r, struct fa_reply *rp);
int fa_api_movie(struct fa_state *st, struct fa_req *r, struct fa_reply *rp);
int fa_api_common(struct fa_state *st, struct fa_req *r, struct fa_reply *rp);
int fa_api_paged(struct fa_state *st, struct fa_req *r, struct fa_reply *rp);
int fa_control(struct fa_state *st, struct fa_req *r, struct fa_reply *rp);

/* ---- commands.c */
/* /api/v3/command and /api/v3/command/{id}, GET and POST; 1 when handled. */
int fa_api_command(struct fa_state *st, struct fa_req *r, struct fa_reply *rp);
/* Apply everything whose time has come: command completions (grabs) and
 * imports.  force_imports imports every pending grab now. */
void fa_tick(struct fa_state *st, int force_imports);
const char *fa_command_status(struct fa_state *st, const struct fa_command *c);
/* Put item_id in the download queue now, as a search that grabbed would
 * (history + queue entry), imported hold_ms later (< 0: --command-ms);
 * 0, or -1 when there is no such item. */
int fa_grab_now(struct fa_state *st, int item_id, long hold_ms);
struct fa_command *fa_command_get(struct fa_state *st, int id);
void fa_commands_free(struct fa_state *st);

/* ---- mutate.c */
json_t *fa_mutate(struct fa_state *st, json_t *req, char *errbuf, size_t errsize);
json_t *fa_summary(struct fa_state *st);

#endif
