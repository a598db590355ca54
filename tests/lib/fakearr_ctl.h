/*
 * fakearr_ctl.h - start and stop the fake *arr server (tests/fakearr) from a
 * test, and talk to it over loopback.
 *
 *	struct fakearr f;
 *	const char *const args[] = { "--app", "sonarr", "--series", "5", NULL };
 *	if (fakearr_start(&f, NULL, args, &e) < 0) ...
 *	fakearr_call(&f, "GET", "/__fake/library/summary", NULL, &summary, &e);
 *	fakearr_stop(&f);
 *
 * The binary is `bin`, else $FAKEARR_BIN (tests/run.sh sets it), else
 * "build/bin/fakearr".  "--port 0" is added unless the caller gave --port,
 * and "--api-key" likewise (f->api_key holds the key in use).
 */
#ifndef COMRADARR_TESTS_FAKEARR_CTL_H
#define COMRADARR_TESTS_FAKEARR_CTL_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

struct fakearr {
	pid_t pid;
	int port;
	char url[64];		/* "http://127.0.0.1:PORT" */
	char api_key[128];
	char app[32];
};

/* Fork and exec the fake, wait (up to 60 s) for its listening line. */
int fakearr_start(struct fakearr *f, const char *bin, const char *const argv_extra[],
		  struct err *e);
/* SIGTERM, wait for it (SIGKILL after 5 s).  Safe to call twice. */
void fakearr_stop(struct fakearr *f);

/*
 * One JSON request with the API key attached.  *out (may be NULL) gets the
 * parsed answer (caller json_decref's; json null for an empty body).
 * Returns 0 for a 2xx answer; -1 otherwise with e->http_status set.
 */
int fakearr_call(struct fakearr *f, const char *method, const char *path,
		 const char *json_body, json_t **out, struct err *e);

/* A raw answer, for tests of status codes, headers and bodies. */
struct fakearr_resp {
	long status;
	char *body;		/* malloc'd, NUL-terminated */
	size_t body_len;
	char *headers;		/* malloc'd, all header lines */
	int transport_error;	/* curl failed (connection dropped, ...) */
};

/* api_key NULL sends no key.  Fill r; release with fakearr_resp_free. */
int fakearr_request(struct fakearr *f, const char *method, const char *path,
		    const char *api_key, const char *body, struct fakearr_resp *r,
		    struct err *e);
void fakearr_resp_free(struct fakearr_resp *r);
/* The value of a header in r (case-insensitive) copied into out; 0 or -1. */
int fakearr_resp_header(const struct fakearr_resp *r, const char *name, char *out, size_t size);

#endif
