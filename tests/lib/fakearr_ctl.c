/*
 * fakearr_ctl.c - see fakearr_ctl.h.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "fakearr_ctl.h"
#include "core/buf.h"
#include "core/banned.h"

#define DEFAULT_KEY "fakearr-test-key-0123456789abcdef"
#define MAX_ARGS 64

static int
has_arg(const char *const argv[], const char *name)
{
	int i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		if (strcmp(argv[i], name) == 0)
			return i;
	return -1;
}

/* Read one line from fd within timeout_ms. */
static int
read_line(int fd, char *out, size_t size, int timeout_ms)
{
	size_t n = 0;

	while (n + 1 < size) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t k;

		if (poll(&p, 1, timeout_ms) <= 0)
			return -1;
		k = read(fd, out + n, 1);
		if (k <= 0)
			return -1;
		if (out[n] == '\n')
			break;
		n++;
	}
	out[n] = '\0';
	return 0;
}

int
fakearr_start(struct fakearr *f, const char *bin, const char *const argv_extra[],
	      struct err *e)
{
	const char *argv[MAX_ARGS + 8];
	int fds[2] = { -1, -1 }, n = 0, i, ret = -1, k;
	char line[256];
	json_t *j = NULL;
	json_error_t jerr;

	memset(f, 0, sizeof(*f));
	f->pid = -1;
	if (bin == NULL)
		bin = getenv("FAKEARR_BIN");
	if (bin == NULL || *bin == '\0')
		bin = "build/bin/fakearr";
	argv[n++] = bin;
	for (i = 0; argv_extra != NULL && argv_extra[i] != NULL && n < MAX_ARGS; i++)
		argv[n++] = argv_extra[i];
	if (has_arg(argv_extra, "--port") < 0) {
		argv[n++] = "--port";
		argv[n++] = "0";
	}
	k = has_arg(argv_extra, "--api-key");
	snprintf(f->api_key, sizeof(f->api_key), "%s", k >= 0 && argv_extra[k + 1] ? argv_extra[k + 1] : DEFAULT_KEY);
	if (k < 0) {
		argv[n++] = "--api-key";
		argv[n++] = DEFAULT_KEY;
	}
	argv[n] = NULL;
	if (pipe(fds) < 0)
		return err_set(e, ERR_IO, "cannot make a pipe for the fake: %s", strerror(errno));
	f->pid = fork();
	if (f->pid < 0) {
		err_set(e, ERR_IO, "cannot fork the fake: %s", strerror(errno));
		goto out;
	}
	if (f->pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(bin, (char *const *)argv);
		fprintf(stderr, "fakearr_start: cannot run \"%s\": %s\n", bin, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	fds[1] = -1;
	if (read_line(fds[0], line, sizeof(line), 60000) < 0) {
		err_set(e, ERR_IO, "the fake \"%s\" did not say it was listening: build it first "
			"(make build/bin/fakearr) or set FAKEARR_BIN", bin);
		goto out;
	}
	j = json_loads(line, 0, &jerr);
	if (!json_is_integer(json_object_get(j, "port"))) {
		err_set(e, ERR_PARSE, "unexpected first line from the fake: \"%.100s\"", line);
		goto out;
	}
	f->port = (int)json_integer_value(json_object_get(j, "port"));
	snprintf(f->app, sizeof(f->app), "%s", json_string_value(json_object_get(j, "app")) ?
		 json_string_value(json_object_get(j, "app")) : "");
	snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%d", f->port);
	ret = 0;
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	json_decref(j);
	if (ret < 0)
		fakearr_stop(f);
	return ret;
}

void
fakearr_stop(struct fakearr *f)
{
	int i, status;

	if (f->pid <= 0)
		return;
	kill(f->pid, SIGTERM);
	for (i = 0; i < 500; i++) {
		struct timespec ts = { 0, 10000000L };

		if (waitpid(f->pid, &status, WNOHANG) == f->pid) {
			f->pid = -1;
			return;
		}
		nanosleep(&ts, NULL);	/* waiting for a child process, not a clock */
	}
	kill(f->pid, SIGKILL);
	waitpid(f->pid, &status, 0);
	f->pid = -1;
}

static size_t
collect(char *p, size_t size, size_t n, void *cls)
{
	return buf_append(cls, p, size * n) < 0 ? 0 : size * n;
}

int
fakearr_request(struct fakearr *f, const char *method, const char *path,
		const char *api_key, const char *body, struct fakearr_resp *r,
		struct err *e)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct buf b = BUF_INIT, hb = BUF_INIT;
	char url[2048], hdr[256];
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	if (c == NULL)
		return err_set(e, ERR_NOMEM, "curl_easy_init failed");
	buf_init(&b, 2u << 30);
	buf_init(&hb, 1 << 20);
	snprintf(url, sizeof(url), "%s%s", f->url, path);
	if (api_key != NULL) {
		snprintf(hdr, sizeof(hdr), "X-Api-Key: %s", api_key);
		h = curl_slist_append(h, hdr);
	}
	if (body != NULL)
		h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	r->transport_error = rc != CURLE_OK;
	r->body_len = b.len;
	r->body = b.data ? buf_detach(&b) : strdup("");
	r->headers = hb.data ? buf_detach(&hb) : strdup("");
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	buf_release(&b);
	buf_release(&hb);
	return 0;
}

void
fakearr_resp_free(struct fakearr_resp *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

int
fakearr_resp_header(const struct fakearr_resp *r, const char *name, char *out, size_t size)
{
	const char *p = r->headers;
	size_t nl = strlen(name);

	while (p != NULL && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;

			while (*v == ' ')
				v++;
			len -= (size_t)(v - p);
			while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n'))
				len--;
			snprintf(out, size, "%.*s", (int)len, v);
			return 0;
		}
		p = eol ? eol + 1 : NULL;
	}
	return -1;
}

int
fakearr_call(struct fakearr *f, const char *method, const char *path,
	     const char *json_body, json_t **out, struct err *e)
{
	struct fakearr_resp r;
	json_error_t jerr;
	int ret = -1;

	if (out != NULL)
		*out = NULL;
	fakearr_request(f, method, path, f->api_key, json_body, &r, e);
	if (r.transport_error) {
		err_set(e, ERR_NET, "%s %s: no answer from the fake", method, path);
		goto out;
	}
	if (out != NULL) {
		*out = r.body_len ? json_loadb(r.body, r.body_len, 0, &jerr) : json_null();
		if (*out == NULL) {
			err_set(e, ERR_PARSE, "%s %s: answer is not JSON: %s", method, path, jerr.text);
			goto out;
		}
	}
	if (r.status < 200 || r.status > 299) {
		err_set(e, ERR_HTTP, "%s %s: HTTP %ld", method, path, r.status);
		if (e != NULL)
			e->http_status = (int)r.status;
		goto out;
	}
	ret = 0;
out:
	fakearr_resp_free(&r);
	return ret;
}
