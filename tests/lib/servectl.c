/*
 * servectl.c - comradarr-serve under a test (see servectl.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "core/buf.h"
#include "proc.h"
#include "servectl.h"

char *
servectl_output(const struct servectl *s, int err)
{
	FILE *f = fopen(err ? s->err_path : s->out_path, "r");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	buf_append_str(&b, "");
	if (f == NULL)
		return buf_detach(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

int
servectl_start(struct servectl *s, const char *const args[], struct err *e)
{
	const char *argv[40];
	int n = 0;

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	snprintf(s->dir, sizeof(s->dir), "/tmp/comradarr-serve-test.XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		return err_set(e, ERR_IO, "mkdtemp: %s", strerror(errno));
	snprintf(s->out_path, sizeof(s->out_path), "%s/out", s->dir);
	snprintf(s->err_path, sizeof(s->err_path), "%s/err", s->dir);
	argv[n++] = proc_bin("comradarr-serve");
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--json";
	for (int i = 0; args != NULL && args[i] != NULL && n < 38; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	s->pid = fork();
	if (s->pid < 0)
		return err_set(e, ERR_IO, "fork: %s", strerror(errno));
	if (s->pid == 0) {
		int o = open(s->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int er = open(s->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(o, STDOUT_FILENO);
		dup2(er, STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 600; i++) {		/* 60 s: the dummy Argon2 hash, a cold database */
		char *out = servectl_output(s, 0);
		const char *p = strstr(out, "\"serve_listening\"");
		int status;

		if (p != NULL && (p = strstr(p, "\"port\":")) != NULL) {
			s->port = atoi(p + 7);
			free(out);
			snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
			snprintf(s->origin, sizeof(s->origin), "%s", s->url);
			return 0;
		}
		free(out);
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			char *err = servectl_output(s, 1);

			s->pid = -1;
			err_set(e, ERR_IO, "comradarr-serve exited at start: %.300s", err);
			free(err);
			return -1;
		}
		usleep(100000);
	}
	servectl_stop(s);
	return err_set(e, ERR_IO, "comradarr-serve did not say where it listens");
}

int
servectl_stop(struct servectl *s)
{
	int status = 0;

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		for (int i = 0; i < 1500; i++) {
			if (waitpid(s->pid, &status, WNOHANG) == s->pid)
				break;
			if (i == 1499) {
				kill(s->pid, SIGKILL);
				waitpid(s->pid, &status, 0);
			}
			usleep(10000);
		}
		s->pid = -1;
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	return -1;
}

void
servectl_cleanup(struct servectl *s)
{
	servectl_stop(s);
	if (s->dir[0] != '\0') {
		unlink(s->out_path);
		unlink(s->err_path);
		rmdir(s->dir);
		s->dir[0] = '\0';
	}
}

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	return buf_append(arg, p, size * n) == 0 ? size * n : 0;
}

int
http_do(const struct servectl *s, const char *method, const char *path,
	const char *const headers[], const char *body, struct http_resp *r)
{
	struct buf bb = BUF_INIT, hb = BUF_INIT;
	struct curl_slist *hl = NULL;
	char url[4200];
	CURL *c = curl_easy_init();
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	if (c == NULL)
		return -1;
	snprintf(url, sizeof(url), "%s%s", s->url, path);
	buf_append_str(&bb, "");
	buf_append_str(&hb, "");
	for (int i = 0; headers != NULL && headers[i] != NULL; i++)
		if (headers[i][0] != '\0')
			hl = curl_slist_append(hl, headers[i]);
	/* curl's own default: no Expect: 100-continue dance on small bodies */
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);	/* send ../ and // as written */
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &bb);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	r->body_len = bb.len;
	r->body = buf_detach(&bb);
	r->headers = buf_detach(&hb);
	return rc == CURLE_OK ? 0 : -1;
}

void
http_resp_free(struct http_resp *r)
{
	free(r->body);
	free(r->headers);
	r->body = r->headers = NULL;
}

const char *
http_header(const struct http_resp *r, const char *name, char *out, size_t size)
{
	size_t n = strlen(name);
	const char *p = r->headers;

	while (p != NULL && *p != '\0') {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;

			while (*v == ' ')
				v++;
			len -= (size_t)(v - p);
			if (len >= size)
				len = size - 1;
			memcpy(out, v, len);
			out[len] = '\0';
			return out;
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

long
http_login(const struct servectl *s, const char *user, const char *password,
	   struct http_session *sess)
{
	char body[512], origin[96], cookie[256];
	const char *hdrs[] = { origin, "Content-Type: application/json", NULL };
	struct http_resp r;
	json_t *j;
	long status;

	memset(sess, 0, sizeof(*sess));
	snprintf(origin, sizeof(origin), "Origin: %s", s->origin);
	j = json_pack("{s:s,s:s}", "username", user, "password", password);
	{
		char *d = json_dumps(j, JSON_COMPACT);

		snprintf(body, sizeof(body), "%s", d);
		free(d);
	}
	json_decref(j);
	if (http_do(s, "POST", "/api/auth/login", hdrs, body, &r) < 0)
		return -1;
	status = r.status;
	if (status == 200 && http_header(&r, "Set-Cookie", cookie, sizeof(cookie)) != NULL) {
		j = json_loads(r.body, 0, NULL);
		cookie[strcspn(cookie, ";")] = '\0';
		snprintf(sess->cookie, sizeof(sess->cookie), "Cookie: %s", cookie);
		snprintf(sess->csrf, sizeof(sess->csrf), "%s",
			 json_string_value(json_object_get(j, "csrf_token")) ?
			 json_string_value(json_object_get(j, "csrf_token")) : "");
		snprintf(sess->csrf_hdr, sizeof(sess->csrf_hdr), "X-CSRF-Token: %s", sess->csrf);
		snprintf(sess->origin_hdr, sizeof(sess->origin_hdr), "Origin: %s", s->origin);
		json_decref(j);
	}
	http_resp_free(&r);
	return status;
}
