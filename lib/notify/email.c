/*
 * email.c - a message as an e-mail over SMTP (libcurl): RFC 5322 headers,
 * RFC 2047 encoded words for non-ASCII, STARTTLS unless turned off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "core/buf.h"
#include "notify/notify.h"
#include "notify/send_int.h"
#include "core/banned.h"

struct upload {
	const char *data;
	size_t len, off;
};

static size_t
read_cb(char *p, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t len = u->len - u->off < size * n ? u->len - u->off : size * n;

	memcpy(p, u->data + u->off, len);
	u->off += len;
	return len;
}

/* A header value in RFC 2047 "B" encoding when it is not plain ASCII. */
static int
mime_word(struct buf *b, const char *s)
{
	int ascii = 1;

	for (const char *p = s; *p != '\0'; p++)
		ascii &= (unsigned char)*p >= 32 && (unsigned char)*p < 127;
	if (ascii)
		return buf_append_str(b, s);
	{
		size_t n = strlen(s), m = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
		char *enc = malloc(m);
		int r;

		if (enc == NULL)
			return -1;
		sodium_bin2base64(enc, m, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
		r = buf_appendf(b, "=?UTF-8?B?%s?=", enc);
		free(enc);
		return r;
	}
}

static int
build_mail(struct buf *b, const json_t *c, const struct notify_message *m)
{
	char date[64], host[64] = "comradarr";
	time_t now = time(NULL);
	struct tm tm;
	json_t *v;
	size_t i;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (strchr(cfg_str(c, "from", ""), '@') != NULL)
		snprintf(host, sizeof(host), "%s", strchr(cfg_str(c, "from", ""), '@') + 1);
	if (buf_appendf(b, "From: Comradarr <%s>\r\nTo: ", cfg_str(c, "from", "")) < 0)
		return -1;
	json_array_foreach(json_object_get(c, "to"), i, v) {
		if (buf_appendf(b, "%s%s", i ? ", " : "", json_string_value(v)) < 0)
			return -1;
	}
	if (buf_append_str(b, "\r\nSubject: ") < 0 || mime_word(b, m->title) < 0 ||
	    buf_appendf(b, "\r\nDate: %s\r\n", date) < 0 ||
	    (m->id > 0 && buf_appendf(b, "Message-ID: <notify-%lld@%s>\r\n", (long long)m->id,
				      host) < 0) ||
	    buf_appendf(b, "X-Comradarr-Event: %s\r\nMIME-Version: 1.0\r\n"
			"Content-Type: text/plain; charset=UTF-8\r\n"
			"Content-Transfer-Encoding: 8bit\r\n\r\n", m->kind) < 0)
		return -1;
	/* lines end in CRLF; a line that is just "." would end the message early,
	 * curl dot-stuffs, but a bare LF must still become CRLF */
	for (const char *p = m->body; *p != '\0'; p++) {
		if (*p == '\n' ? buf_append_str(b, "\r\n") < 0 :
		    *p != '\r' && buf_putc(b, *p) < 0)
			return -1;
	}
	return buf_append_str(b, "\r\n");
}

int
notify_send_email(const json_t *c, const json_t *s, const struct notify_message *m, struct req *r,
	   struct notify_answer *ans, struct err *e)
{
	CURL *h = curl_easy_init();
	struct curl_slist *rcpt = NULL;
	struct buf mail = BUF_INIT, from = BUF_INIT;
	struct upload up;
	json_t *v, *st = json_object_get(c, "starttls");
	const char *url = cfg_str(c, "url", "");
	CURLcode cc;
	long code = 0;
	size_t i;
	int ret = -1;

	if (h == NULL || build_mail(&mail, c, m) < 0 ||
	    buf_appendf(&from, "<%s>", cfg_str(c, "from", "")) < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	json_array_foreach(json_object_get(c, "to"), i, v) {
		struct curl_slist *n = curl_slist_append(rcpt, json_string_value(v));

		if (n == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		rcpt = n;
	}
	up.data = mail.data;
	up.len = mail.len;
	up.off = 0;
	common_opts(h, r);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* smtp:// without STARTTLS would send the password in the clear:
	 * refused unless the user turned it off for this channel */
	if (strncmp(url, "smtp://", 7) == 0 && !json_is_false(st))
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.data);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	if (cfg_str(c, "username", NULL) != NULL) {
		curl_easy_setopt(h, CURLOPT_USERNAME, cfg_str(c, "username", ""));
		curl_easy_setopt(h, CURLOPT_PASSWORD, cfg_str(s, "password", ""));
	}
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)mail.len);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (ans != NULL) {
		ans->status = code;
		snprintf(ans->text, sizeof(ans->text), "%s", cc == CURLE_OK ? "accepted" : "");
	}
	if (cc != CURLE_OK) {
		transport_error("smtp", cc, r, e);
		if (code >= 400 && code < 500 && e->kind == ERR_NET)
			e->kind = ERR_SERVER;	/* 4xx SMTP replies are temporary */
		goto out;
	}
	ret = 0;
out:
	if (h != NULL)
		curl_easy_cleanup(h);
	curl_slist_free_all(rcpt);
	buf_release(&mail);
	buf_release(&from);
	return ret;
}

