#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/banned.h"

/* A _FILE value is a secret or a URL: anything larger is a mistake. */
#define CONFIG_FILE_CAP (64 * 1024)

static int
read_value_file(const char *var, const char *path, char **out, struct err *e)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	FILE *f = NULL;
	size_t n;
	int ret = -1;

	buf_init(&b, CONFIG_FILE_CAP);
	f = fopen(path, "r");
	if (f == NULL) {
		err_set(e, ERR_CONFIG, "%s_FILE: cannot read '%s': %s", var, path, strerror(errno));
		goto out;
	}
	/* the secret key, like $COMRADARR_HOME/secret.key: refused when others
	 * could have read it (lib/crypto/secretkey.c says why) */
	if (strcmp(var, "SECRET_KEY") == 0) {
		struct stat st;

		if (fstat(fileno(f), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO))) {
			err_set(e, ERR_CONFIG, "SECRET_KEY_FILE: '%s' can be read by other users "
				"(mode %04o): run 'chmod 600 %s'", path,
				(unsigned)(st.st_mode & 07777), path);
			goto out;
		}
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_append(&b, chunk, n) < 0) {
			err_set(e, ERR_CONFIG, "%s_FILE: '%s' is larger than %d bytes", var, path,
				CONFIG_FILE_CAP);
			goto out;
		}
	}
	if (ferror(f)) {
		err_set(e, ERR_CONFIG, "%s_FILE: error reading '%s'", var, path);
		goto out;
	}
	while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	*out = buf_detach(&b);
	if (*out == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	ret = 0;
out:
	if (f != NULL)
		fclose(f);
	buf_release_secret(&b);
	return ret;
}

int
config_getenv(const char *name, char **out, struct err *e)
{
	char file_var[128];
	const char *v, *fv;

	*out = NULL;
	snprintf(file_var, sizeof(file_var), "%s_FILE", name);
	v = getenv(name);
	fv = getenv(file_var);
	if (v != NULL && *v != '\0' && fv != NULL && *fv != '\0')
		return err_set(e, ERR_CONFIG, "both %s and %s are set; unset one of them",
			       name, file_var);
	if (fv != NULL && *fv != '\0')
		return read_value_file(name, fv, out, e);
	if (v != NULL && *v != '\0') {
		*out = strdup(v);
		if (*out == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

static char *
default_home(void)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char *p = NULL;

	if (geteuid() == 0) {
		p = strdup("/var/lib/comradarr");
	} else if (xdg != NULL && *xdg == '/') {
		if (asprintf(&p, "%s/comradarr", xdg) < 0)
			p = NULL;
	} else {
		if (home == NULL || *home == '\0') {
			struct passwd *pw = getpwuid(geteuid());

			home = pw != NULL ? pw->pw_dir : "/tmp";
		}
		if (asprintf(&p, "%s/.local/share/comradarr", home) < 0)
			p = NULL;
	}
	return p;
}

static int
parse_port(const char *s, int *port, struct err *e)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 65535)
		return err_set(e, ERR_CONFIG, "PORT: '%s' is not a port number (1-65535)", s);
	*port = (int)v;
	return 0;
}

static int
normalise_base_url(char **base, struct err *e)
{
	const char *s = *base;
	size_t n = strlen(s);
	char *p;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == '?' || c == '#' || c == '"' || c == '<' || c == '>' || c == '\\')
			return err_set(e, ERR_CONFIG,
				       "BASE_URL: '%s' is not a URL path; use something like /comradarr", s);
	}
	if (strstr(s, "://") != NULL)
		return err_set(e, ERR_CONFIG,
			       "BASE_URL: give only the path ('/comradarr'), not a full URL ('%s')", s);
	if (asprintf(&p, "%s%s%s", s[0] == '/' ? "" : "/", s,
		     n > 0 && s[n - 1] == '/' ? "" : "/") < 0)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (strcmp(p, "//") == 0)
		p[1] = '\0';
	free(*base);
	*base = p;
	return 0;
}

static int
validate_tz(const char *tz, struct err *e)
{
	char path[PATH_MAX];

	if (strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0)
		return 0;
	/* an IANA name must be a relative path of letters, digits, + - _ / */
	for (const char *p = tz; *p != '\0'; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '/' || *p == '_' || *p == '-' || *p == '+'))
			goto bad;
	}
	if (tz[0] == '/' || strstr(tz, "..") != NULL)
		goto bad;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	if (access(path, R_OK) == 0)
		return 0;
bad:
	return err_set(e, ERR_CONFIG,
		       "TZ: '%s' is not a known time zone; use an IANA name such as Europe/Berlin or UTC "
		       "(is the tzdata package installed?)", tz);
}

int
config_load(struct config *c, struct err *e)
{
	char *v = NULL;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	c->port = 3000;
	c->log_level = LOG_LEVEL_INFO;

	if (config_getenv("DATABASE_URL", &c->database_url, e) < 0 ||
	    config_getenv("HOST", &c->host, e) < 0 ||
	    config_getenv("BASE_URL", &c->base_url, e) < 0 ||
	    config_getenv("TZ", &c->tz, e) < 0 ||
	    config_getenv("SECRET_KEY", &c->secret_key, e) < 0 ||
	    config_getenv("COMRADARR_HOME", &c->home, e) < 0 ||
	    config_getenv("ADMIN_USER", &c->admin_user, e) < 0 ||
	    config_getenv("ADMIN_PASS", &c->admin_pass, e) < 0)
		goto out;

	if (config_getenv("PORT", &v, e) < 0)
		goto out;
	if (v != NULL && parse_port(v, &c->port, e) < 0)
		goto out;
	free(v);
	v = NULL;

	if (config_getenv("LOG_LEVEL", &v, e) < 0)
		goto out;
	if (v != NULL && log_level_parse(v, &c->log_level) < 0) {
		err_set(e, ERR_CONFIG, "LOG_LEVEL: '%s' is not one of error, warn, info, debug, trace", v);
		goto out;
	}

	if (c->host == NULL && (c->host = strdup("0.0.0.0")) == NULL)
		goto nomem;
	if (c->base_url == NULL && (c->base_url = strdup("/")) == NULL)
		goto nomem;
	if (normalise_base_url(&c->base_url, e) < 0)
		goto out;
	if (c->tz == NULL && (c->tz = strdup("UTC")) == NULL)
		goto nomem;
	/* glibc accepts ":Europe/Berlin" too */
	if (c->tz[0] == ':')
		memmove(c->tz, c->tz + 1, strlen(c->tz));
	if (validate_tz(c->tz, e) < 0)
		goto out;
	if (c->home == NULL && (c->home = default_home()) == NULL)
		goto nomem;
	if (c->home[0] != '/') {
		err_set(e, ERR_CONFIG, "COMRADARR_HOME: '%s' must be an absolute path", c->home);
		goto out;
	}
	ret = 0;
	goto out;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
out:
	free(v);
	if (ret < 0)
		config_release(c);
	return ret;
}

static void
free_secret(char **p)
{
	if (*p != NULL) {
		sodium_memzero(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

void
config_release(struct config *c)
{
	free(c->database_url);
	free(c->host);
	free(c->base_url);
	free(c->tz);
	free_secret(&c->secret_key);
	free(c->home);
	free(c->admin_user);
	free_secret(&c->admin_pass);
	memset(c, 0, sizeof(*c));
}

char *
config_path(const struct config *c, const char *rel)
{
	char *p;

	if (asprintf(&p, "%s/%s", c->home, rel) < 0)
		return NULL;
	return p;
}

int
config_service_owner(uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	pw = getpwnam(COMRADARR_SERVICE_USER);
	if (pw == NULL)
		return 0;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 1;
}
