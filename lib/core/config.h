/*
 * config.h - settings read once from the environment at start (Req 30).
 *
 * Every variable NAME may instead be given as NAME_FILE, naming a file whose
 * contents (without a trailing newline) are the value: systemd credentials
 * (LoadCredential=, then NAME_FILE=%d/name) and container secrets work
 * without putting secrets in the environment.  Setting both is an error.
 *
 *   DATABASE_URL    libpq URL or "key=value" string; unset: the embedded
 *                   cluster under $COMRADARR_HOME/pg (see db/embedded.h)
 *   HOST            -serve's listen address          (default 0.0.0.0)
 *   PORT            -serve's port                    (default 3000)
 *   BASE_URL        path prefix behind a proxy       (default /)
 *   TZ              IANA zone for budgets, schedules (default UTC)
 *   LOG_LEVEL       error|warn|info|debug|trace      (default info)
 *   LOG_FORMAT      json|human                       (default: human on a tty)
 *   SECRET_KEY      32 bytes as 64 hex or base64; unset: generated once
 *                   into $COMRADARR_HOME/secret.key (mode 0600)
 *   COMRADARR_HOME  state directory (default /var/lib/comradarr for root,
 *                   else $XDG_DATA_HOME/comradarr or ~/.local/share/comradarr)
 *   ADMIN_USER, ADMIN_PASS   first administrator, created on first start
 */
#ifndef COMRADARR_CORE_CONFIG_H
#define COMRADARR_CORE_CONFIG_H

#include "core/err.h"
#include "core/log.h"

struct config {
	char *database_url;	/* NULL: embedded */
	char *host;
	int port;
	char *base_url;		/* always starts and ends with '/' */
	char *tz;
	enum log_level log_level;
	char *secret_key;	/* the text as given, or NULL; wiped on release */
	char *home;
	char *admin_user;
	char *admin_pass;	/* wiped on release */
};

/* Read the environment; e says which variable was wrong and what is accepted. */
int config_load(struct config *c, struct err *e);
void config_release(struct config *c);

/*
 * Read NAME or NAME_FILE.  *out is NULL when neither is set; malloc'd
 * otherwise.  Exposed for tools with variables of their own.
 */
int config_getenv(const char *name, char **out, struct err *e);

/* $COMRADARR_HOME/<rel> into a malloc'd string. */
char *config_path(const struct config *c, const char *rel);

/*
 * The system user the installed units run as (User= in systemd/).  The
 * embedded cluster runs as this user too, so it is also its role name.
 */
#define COMRADARR_SERVICE_USER "comradarr"

/*
 * Whether files we create must be handed to the service user: 1 (uid and
 * gid filled) when we run as root and that user exists, else 0.  An admin
 * command run with sudo (connector add, db init) would otherwise leave
 * secret.key and new directories owned by root, and every timer would then
 * fail to read them.
 */
#include <sys/types.h>
int config_service_owner(uid_t *uid, gid_t *gid);

#endif
