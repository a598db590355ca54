#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "db/db.h"
#include "db/embedded.h"
#include "core/banned.h"

#ifndef COMRADARR_PG_BINDIR
#define COMRADARR_PG_BINDIR ""
#endif

static int
has_initdb(const char *dir)
{
	char path[4200];

	if (snprintf(path, sizeof(path), "%s/initdb", dir) >= (int)sizeof(path))
		return 0;
	return dir[0] != '\0' && access(path, X_OK) == 0;
}

char *
db_embedded_bindir(struct err *e)
{
	const char *env = getenv("COMRADARR_PG_BINDIR");
	DIR *d;
	struct dirent *de;
	long best = -1;
	char path[4200];

	if (env != NULL && *env != '\0') {
		if (has_initdb(env))
			return strdup(env);
		err_set(e, ERR_CONFIG, "COMRADARR_PG_BINDIR: no initdb in '%s'", env);
		return NULL;
	}
	if (has_initdb(COMRADARR_PG_BINDIR))
		return strdup(COMRADARR_PG_BINDIR);
	d = opendir("/usr/lib/postgresql");
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			char *end;
			long v = strtol(de->d_name, &end, 10);

			if (snprintf(path, sizeof(path), "/usr/lib/postgresql/%s/bin", de->d_name) >=
			    (int)sizeof(path))
				continue;
			if (*end == '\0' && v > best && has_initdb(path))
				best = v;
		}
		closedir(d);
	}
	if (best >= 0) {
		snprintf(path, sizeof(path), "/usr/lib/postgresql/%ld/bin", best);
		return strdup(path);
	}
	err_set(e, ERR_CONFIG,
		"no PostgreSQL server found for the embedded database; install it "
		"(apt-get install postgresql), set COMRADARR_PG_BINDIR, or set DATABASE_URL");
	return NULL;
}

char *
db_embedded_conninfo(const struct config *cfg)
{
	char *s;

	if (asprintf(&s, "host='%s/run' port=%d user=%s dbname=%s", cfg->home,
		     DB_EMBEDDED_PORT, DB_EMBEDDED_ROLE, DB_EMBEDDED_DBNAME) < 0)
		return NULL;
	return s;
}

/*
 * The account the cluster runs as: ourselves, or, for root, the system user
 * "comradarr" (created on first use: PostgreSQL will not run as root).
 */
struct run_as {
	int drop;
	uid_t uid;
	gid_t gid;
};

static int
resolve_run_as(struct run_as *ra, int create, struct err *e)
{
	struct passwd *pw;

	ra->drop = 0;
	if (geteuid() != 0)
		return 0;
	pw = getpwnam(DB_EMBEDDED_ROLE);
	if (pw == NULL && create) {
		pid_t pid = fork();
		int status;

		if (pid < 0)
			return err_set(e, ERR_IO, "fork: %s", strerror(errno));
		if (pid == 0) {
			dup2(STDERR_FILENO, STDOUT_FILENO);
			execlp("useradd", "useradd", "--system", "--no-create-home",
			       "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
			       DB_EMBEDDED_ROLE, (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			return err_set(e, ERR_IO,
				       "could not create the system user '%s' to run the embedded "
				       "database (useradd failed); create it yourself or set DATABASE_URL",
				       DB_EMBEDDED_ROLE);
		pw = getpwnam(DB_EMBEDDED_ROLE);
	}
	if (pw == NULL)
		return err_set(e, ERR_CONFIG, "the system user '%s' does not exist; run 'comradarr db init' first",
			       DB_EMBEDDED_ROLE);
	ra->drop = 1;
	ra->uid = pw->pw_uid;
	ra->gid = pw->pw_gid;
	return 0;
}

static int
make_dir(const char *path, const struct run_as *ra, struct err *e)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return err_set(e, ERR_IO, "cannot create '%s': %s", path, strerror(errno));
	if (chmod(path, 0700) < 0)
		return err_set(e, ERR_IO, "cannot chmod '%s': %s", path, strerror(errno));
	if (ra->drop && chown(path, ra->uid, ra->gid) < 0)
		return err_set(e, ERR_IO, "cannot chown '%s': %s", path, strerror(errno));
	return 0;
}

/* mkdir -p for COMRADARR_HOME itself, readable by the service user. */
static int
make_home(const char *home, const struct run_as *ra, struct err *e)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s", home);
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return err_set(e, ERR_IO, "cannot create '%s': %s", path, strerror(errno));
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return err_set(e, ERR_IO, "cannot create '%s': %s", path, strerror(errno));
	/* the service user must be able to enter home to reach pg/ and run/ */
	if (ra->drop && chmod(path, 0711) < 0)
		return err_set(e, ERR_IO, "cannot chmod '%s': %s", path, strerror(errno));
	return 0;
}

/*
 * Run argv (argv[0] a full path) as ra, and return its exit status, or -1 if
 * it could not run.  Its stdout (initdb's progress, pg_ctl's chatter) goes to
 * /dev/null: lib/ never writes to stdout, and its errors come on stderr.
 */
static int
run(const struct run_as *ra, const char *const argv[], struct err *e)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return err_set(e, ERR_IO, "fork: %s", strerror(errno));
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		if (devnull >= 0)
			dup2(devnull, STDOUT_FILENO);
		if (ra->drop) {
			if (setgroups(0, NULL) < 0 || setgid(ra->gid) < 0 || setuid(ra->uid) < 0)
				_exit(126);
		}
		/* the server must not inherit a working directory it cannot read */
		if (chdir("/") < 0)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return err_set(e, ERR_IO, "waitpid: %s", strerror(errno));
	}
	if (!WIFEXITED(status))
		return err_set(e, ERR_IO, "'%s' was killed by signal %d", argv[0], WTERMSIG(status));
	if (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127)
		return err_set(e, ERR_IO, "could not run '%s'", argv[0]);
	return WEXITSTATUS(status);
}

struct paths {
	char *bindir, *data, *run, *log, *initdb, *pg_ctl, *conf;
};

static void
paths_release(struct paths *p)
{
	free(p->bindir);
	free(p->data);
	free(p->run);
	free(p->log);
	free(p->initdb);
	free(p->pg_ctl);
	free(p->conf);
	memset(p, 0, sizeof(*p));
}

static int
paths_init(const struct config *cfg, struct paths *p, struct err *e)
{
	memset(p, 0, sizeof(*p));
	p->bindir = db_embedded_bindir(e);
	if (p->bindir == NULL)
		return -1;
	if (asprintf(&p->data, "%s/pg", cfg->home) < 0 ||
	    asprintf(&p->run, "%s/run", cfg->home) < 0 ||
	    asprintf(&p->log, "%s/pg.log", cfg->home) < 0 ||
	    asprintf(&p->initdb, "%s/initdb", p->bindir) < 0 ||
	    asprintf(&p->pg_ctl, "%s/pg_ctl", p->bindir) < 0 ||
	    asprintf(&p->conf, "%s/pg/postgresql.auto.conf", cfg->home) < 0) {
		paths_release(p);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

int
db_embedded_status(const struct config *cfg, enum db_embedded_state *st, struct err *e)
{
	struct paths p;
	struct run_as ra;
	char version[4096];
	int rc, ret = -1;

	if (paths_init(cfg, &p, e) < 0)
		return -1;
	snprintf(version, sizeof(version), "%s/PG_VERSION", p.data);
	if (access(version, F_OK) != 0) {
		*st = DB_EMBEDDED_ABSENT;
		ret = 0;
		goto out;
	}
	if (resolve_run_as(&ra, 0, e) < 0)
		goto out;
	{
		const char *argv[] = { p.pg_ctl, "status", "-s", "-D", p.data, NULL };

		rc = run(&ra, argv, e);
	}
	if (rc < 0)
		goto out;
	/* pg_ctl status: 0 running, 3 not running, 4 no data directory */
	*st = rc == 0 ? DB_EMBEDDED_RUNNING : DB_EMBEDDED_STOPPED;
	ret = 0;
out:
	paths_release(&p);
	return ret;
}

/*
 * Settings for a private, socket-only cluster sized for one small toolkit.
 * Written with ALTER SYSTEM's file so postgresql.conf stays pristine.
 */
static int
write_conf(const struct paths *p, const struct run_as *ra, struct err *e)
{
	FILE *f;
	int fd;

	fd = open(p->conf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return err_set(e, ERR_IO, "cannot write '%s': %s", p->conf, strerror(errno));
	if (ra->drop && fchown(fd, ra->uid, ra->gid) < 0) {
		close(fd);
		return err_set(e, ERR_IO, "cannot chown '%s': %s", p->conf, strerror(errno));
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return err_set(e, ERR_IO, "cannot write '%s': %s", p->conf, strerror(errno));
	}
	fprintf(f,
		"# written by comradarr db init: a private cluster on a unix socket only\n"
		"listen_addresses = ''\n"
		"unix_socket_directories = '%s'\n"
		"unix_socket_permissions = 0700\n"
		"port = %d\n"
		"max_connections = 50\n"
		"shared_buffers = '128MB'\n"
		"logging_collector = off\n"
		"timezone = 'UTC'\n"
		"# comradarr-db.service sets MemoryDenyWriteExecute=, which LLVM's JIT\n"
		"# breaks; the queries here are small and gain nothing from it\n"
		"jit = off\n",
		p->run, DB_EMBEDDED_PORT);
	if (fclose(f) != 0)
		return err_set(e, ERR_IO, "cannot write '%s': %s", p->conf, strerror(errno));
	return 0;
}

int
db_embedded_init(const struct config *cfg, int *created, struct err *e)
{
	struct paths p;
	struct run_as ra;
	enum db_embedded_state st;
	int rc, ret = -1;

	*created = 0;
	if (paths_init(cfg, &p, e) < 0)
		return -1;
	if (db_embedded_status(cfg, &st, e) < 0)
		goto out;
	if (st != DB_EMBEDDED_ABSENT) {
		ret = 0;
		goto out;
	}
	if (resolve_run_as(&ra, 1, e) < 0 || make_home(cfg->home, &ra, e) < 0 ||
	    make_dir(p.data, &ra, e) < 0 || make_dir(p.run, &ra, e) < 0)
		goto out;
	{
		char user[64];
		const char *argv[] = { p.initdb, "-D", p.data, "-U", user, "--auth=trust",
				 "-E", "UTF8", "--no-locale", "--no-instructions", NULL };

		snprintf(user, sizeof(user), "%s", DB_EMBEDDED_ROLE);
		rc = run(&ra, argv, e);
	}
	if (rc != 0) {
		if (rc > 0)
			err_set(e, ERR_IO, "initdb failed (exit %d) for '%s'; see the messages above",
				rc, p.data);
		goto out;
	}
	if (write_conf(&p, &ra, e) < 0)
		goto out;
	*created = 1;
	ret = 0;
out:
	paths_release(&p);
	return ret;
}

static int
ensure_database(const struct config *cfg, struct err *e)
{
	char *conninfo = NULL;
	PGconn *c = NULL;
	PGresult *r = NULL;
	int ret = -1;

	if (asprintf(&conninfo, "host='%s/run' port=%d user=%s dbname=postgres "
			"fallback_application_name=comradarr", cfg->home, DB_EMBEDDED_PORT,
		     DB_EMBEDDED_ROLE) < 0) {
		conninfo = NULL;
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		err_set(e, ERR_DB, "the embedded server started but refuses connections: %s",
			PQerrorMessage(c));
		goto out;
	}
	if (db_query(c, "SELECT 1 FROM pg_database WHERE datname = '" DB_EMBEDDED_DBNAME "'",
		     0, NULL, &r, e) < 0)
		goto out;
	if (PQntuples(r) == 0 &&
	    db_exec(c, "CREATE DATABASE " DB_EMBEDDED_DBNAME, e) < 0)
		goto out;
	ret = 0;
out:
	PQclear(r);
	if (c != NULL)
		PQfinish(c);
	free(conninfo);
	return ret;
}

int
db_embedded_start(const struct config *cfg, int *started, struct err *e)
{
	struct paths p;
	struct run_as ra;
	enum db_embedded_state st;
	int rc, ret = -1;

	*started = 0;
	if (paths_init(cfg, &p, e) < 0)
		return -1;
	if (db_embedded_status(cfg, &st, e) < 0)
		goto out;
	if (st == DB_EMBEDDED_ABSENT) {
		err_set(e, ERR_CONFIG, "there is no embedded database under '%s' yet; run 'comradarr db init' first",
			cfg->home);
		goto out;
	}
	if (resolve_run_as(&ra, 0, e) < 0)
		goto out;
	if (st == DB_EMBEDDED_STOPPED) {
		const char *argv[] = { p.pg_ctl, "start", "-w", "-t", "60", "-s", "-D", p.data,
				 "-l", p.log, NULL };

		/* the log file must be writable by the service user */
		if (ra.drop) {
			int fd = open(p.log, O_WRONLY | O_CREAT | O_APPEND, 0600);

			if (fd >= 0) {
				if (fchown(fd, ra.uid, ra.gid) < 0)
					log_warn("db", "cannot chown '%s': %s", p.log, strerror(errno));
				close(fd);
			}
		}
		rc = run(&ra, argv, e);
		if (rc != 0) {
			if (rc > 0)
				err_set(e, ERR_IO, "the embedded database did not start (pg_ctl exit %d); "
					"see '%s'", rc, p.log);
			goto out;
		}
		*started = 1;
	}
	if (ensure_database(cfg, e) < 0)
		goto out;
	ret = 0;
out:
	paths_release(&p);
	return ret;
}

int
db_embedded_stop(const struct config *cfg, int *stopped, struct err *e)
{
	struct paths p;
	struct run_as ra;
	enum db_embedded_state st;
	int rc, ret = -1;

	*stopped = 0;
	if (paths_init(cfg, &p, e) < 0)
		return -1;
	if (db_embedded_status(cfg, &st, e) < 0)
		goto out;
	if (st != DB_EMBEDDED_RUNNING) {
		ret = 0;
		goto out;
	}
	if (resolve_run_as(&ra, 0, e) < 0)
		goto out;
	{
		const char *argv[] = { p.pg_ctl, "stop", "-w", "-s", "-m", "fast", "-D", p.data, NULL };

		rc = run(&ra, argv, e);
	}
	if (rc != 0) {
		if (rc > 0)
			err_set(e, ERR_IO, "pg_ctl stop failed (exit %d); see '%s'", rc, p.log);
		goto out;
	}
	*stopped = 1;
	ret = 0;
out:
	paths_release(&p);
	return ret;
}
