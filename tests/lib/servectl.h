/*
 * servectl.h - run comradarr-serve from a test and talk HTTP to it over
 * loopback with libcurl, as a browser or a script would.
 *
 *	struct servectl s;
 *	const char *const args[] = { "--threads", "2", NULL };
 *	servectl_start(&s, args, &e);           listens on 127.0.0.1, a free port
 *	http_do(&s, "GET", "/healthz", NULL, NULL, &r);
 *	servectl_stop(&s);                      SIGTERM; returns its exit status
 *
 * Its standard output (JSON lines) and standard error go to files in a
 * private directory, s.out_path and s.err_path, for the test to read.
 */
#ifndef COMRADARR_TESTS_SERVECTL_H
#define COMRADARR_TESTS_SERVECTL_H

#include <sys/types.h>

#include "core/err.h"

struct servectl {
	pid_t pid;
	int port;
	char url[64];		/* "http://127.0.0.1:PORT" */
	char origin[64];	/* the same: what a same-origin browser sends */
	char dir[128];
	char out_path[192], err_path[192];
};

/* Start the binary with args (NULL-terminated; --listen is added). */
int servectl_start(struct servectl *s, const char *const args[], struct err *e);
/* SIGTERM and wait (SIGKILL after 15 s); the exit status, or 128 + signal. */
int servectl_stop(struct servectl *s);
/* Stop it if running and remove its output files. */
void servectl_cleanup(struct servectl *s);
/* The whole of what it printed on stdout / stderr so far (malloc'd). */
char *servectl_output(const struct servectl *s, int err);

struct http_resp {
	long status;
	char *body;		/* malloc'd, NUL-terminated */
	size_t body_len;	/* bytes of body (a download may hold NULs) */
	char *headers;		/* malloc'd, every header line */
};

/*
 * One request to path on the server; headers is a NULL-terminated list of
 * "Name: value" lines (may be NULL), body may be NULL.  0, or -1 when the
 * transfer failed.
 */
int http_do(const struct servectl *s, const char *method, const char *path,
	    const char *const headers[], const char *body, struct http_resp *r);
void http_resp_free(struct http_resp *r);
/* The first header's value (case-insensitive) into out; NULL when absent. */
const char *http_header(const struct http_resp *r, const char *name, char *out, size_t size);

/* A session: the cookie line "Cookie: comradarr_session=..." and the CSRF token. */
struct http_session {
	char cookie[300];
	char csrf[96];
	char csrf_hdr[128];	/* "X-CSRF-Token: ..." */
	char origin_hdr[96];	/* "Origin: http://127.0.0.1:PORT" */
};
/* Log in; the status of the attempt (200 and sess filled on success). */
long http_login(const struct servectl *s, const char *user, const char *password,
		struct http_session *sess);

#endif
