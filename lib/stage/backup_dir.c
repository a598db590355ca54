/* The backup directory: list and prune (Req 33.5). */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "stage/backup.h"
#include "core/banned.h"

static int64_t name_time(const char *name);

struct dated {
	char *name;
	int64_t t;
};

static int
cmp_desc(const void *a, const void *b)
{
	const struct dated *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? 1 : -1;
	return strcmp(y->name, x->name);
}

void
backup_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
backup_list_dir(const char *dir, char ***names, size_t *n, struct err *e)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t cnt = 0, alloc = 0;

	*names = NULL;
	*n = 0;
	d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		return err_set(e, ERR_IO, "cannot read '%s': %s", dir, strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name), sl = strlen(BACKUP_SUFFIX);

		if (strncmp(de->d_name, BACKUP_PREFIX, strlen(BACKUP_PREFIX)) != 0 || l <= sl ||
		    strcmp(de->d_name + l - sl, BACKUP_SUFFIX) != 0)
			continue;
		if (cnt == alloc) {
			char **p;

			alloc = alloc ? alloc * 2 : 16;
			p = realloc(v, alloc * sizeof(*v));
			if (p == NULL)
				goto nomem;
			v = p;
		}
		v[cnt] = strdup(de->d_name);
		if (v[cnt] == NULL)
			goto nomem;
		cnt++;
	}
	closedir(d);
	/* newest first: by the time in a scheduled backup's name, else by
	 * the file's modification time */
	if (cnt > 1) {
		struct dated *dv = calloc(cnt, sizeof(*dv));

		if (dv == NULL)
			goto nomem_closed;
		for (size_t i = 0; i < cnt; i++) {
			struct stat st;
			char *p = NULL;

			dv[i].name = v[i];
			dv[i].t = name_time(v[i]);
			if (dv[i].t < 0 && asprintf(&p, "%s/%s", dir, v[i]) >= 0 && stat(p, &st) == 0)
				dv[i].t = (int64_t)st.st_mtime * 1000000;
			free(p);
		}
		qsort(dv, cnt, sizeof(*dv), cmp_desc);
		for (size_t i = 0; i < cnt; i++)
			v[i] = dv[i].name;
		free(dv);
	}
	*names = v;
	*n = cnt;
	return 0;
nomem:
	closedir(d);
nomem_closed:
	backup_names_free(v, cnt);
	return err_set(e, ERR_NOMEM, "out of memory");
}

/* The time in a scheduled backup's name, comradarr-YYYYmmddTHHMMSSZ.tar;
 * -1 for any other name (a backup made by hand is never pruned). */
static int64_t
name_time(const char *name)
{
	struct tm tm;
	const char *p = name + strlen(BACKUP_PREFIX);
	char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(p, "%Y%m%dT%H%M%SZ", &tm);
	if (end == NULL || strcmp(end, BACKUP_SUFFIX) != 0)
		return -1;
	return (int64_t)timegm(&tm) * 1000000;
}

int
backup_prune(const char *dir, long keep, long days, int64_t now_us, backup_pruned_fn fn,
	     void *arg, int *removed, struct err *e)
{
	char **names = NULL, *path = NULL;
	size_t n = 0, kept = 0;
	int ret = -1;

	*removed = 0;
	if (backup_list_dir(dir, &names, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int64_t t = name_time(names[i]);
		const char *why = NULL;

		if (t < 0)
			continue;
		kept++;
		if (kept == 1)
			continue;	/* the newest stays, whatever the limits */
		if (keep > 0 && kept > (size_t)keep)
			why = "count";
		else if (days > 0 && now_us - t > (int64_t)days * 86400 * 1000000)
			why = "age";
		if (why == NULL)
			continue;
		free(path);
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			path = NULL;
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		if (unlink(path) < 0 && errno != ENOENT) {
			err_set(e, ERR_IO, "cannot remove '%s': %s", path, strerror(errno));
			goto out;
		}
		(*removed)++;
		if (fn != NULL)
			fn(arg, names[i], why);
	}
	ret = 0;
out:
	free(path);
	backup_names_free(names, n);
	return ret;
}

int
backup_name_valid(const char *name)
{
	size_t n, pl = strlen(BACKUP_PREFIX), sl = strlen(BACKUP_SUFFIX);

	if (name == NULL)
		return 0;
	n = strlen(name);
	if (n <= pl + sl || n > BACKUP_NAME_MAX || strncmp(name, BACKUP_PREFIX, pl) != 0 ||
	    strcmp(name + n - sl, BACKUP_SUFFIX) != 0)
		return 0;
	/* the middle: a plain word, so no separator, no "..", no hidden dot */
	if (!((name[pl] >= 'a' && name[pl] <= 'z') || (name[pl] >= 'A' && name[pl] <= 'Z') ||
	      (name[pl] >= '0' && name[pl] <= '9')))
		return 0;
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		return 0;
	return strstr(name, "..") == NULL;
}

void
backup_name_new(int64_t now_s, char *out, size_t size)
{
	time_t t = (time_t)now_s;
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(out, size, BACKUP_PREFIX "%Y%m%dT%H%M%SZ" BACKUP_SUFFIX, &tm) == 0 && size > 0)
		out[0] = '\0';
}

int
backup_open(const char *dir, const char *name, int *fd, struct stat *st, struct err *e)
{
	int dfd, f;

	*fd = -1;
	if (!backup_name_valid(name))
		return err_set(e, ERR_NOTFOUND, "no backup named '%.*s'", BACKUP_NAME_MAX,
			       name ? name : "");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
			       "cannot open the backup directory '%s': %s", dir, strerror(errno));
	/* O_NOFOLLOW: a link placed in the directory cannot point elsewhere */
	f = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	close(dfd);
	if (f < 0)
		return err_set(e, errno == ENOENT || errno == ELOOP ? ERR_NOTFOUND : ERR_IO,
			       "no backup named '%s'%s%s", name, errno == ENOENT ? "" : ": ",
			       errno == ENOENT ? "" : strerror(errno));
	if (fstat(f, st) < 0 || !S_ISREG(st->st_mode)) {
		close(f);
		return err_set(e, ERR_NOTFOUND, "no backup named '%s'", name);
	}
	*fd = f;
	return 0;
}

char *
backup_dir_path(const struct config *cfg, const char *dir, int make, struct err *e)
{
	char *path = dir ? strdup(dir) : config_path(cfg, "backups");

	if (path == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (!make)
		return path;
	if (dir == NULL && mkdir(cfg->home, 0700) < 0 && errno != EEXIST) {
		err_set(e, ERR_IO, "cannot create '%s': %s", cfg->home, strerror(errno));
		free(path);
		return NULL;
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		err_set(e, ERR_IO, "cannot create '%s': %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}
