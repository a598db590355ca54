/*
 * name.h - the one rule for the names a user gives connectors, schedules
 * and notification channels.
 *
 * These names end up in URLs (/api/connectors/NAME, /api/webhooks/NAME),
 * in file and unit names and on command lines, so they are kept to a set
 * that needs no quoting or escaping anywhere: 1-63 ASCII letters, digits,
 * '.', '_' or '-', starting with a letter or digit.  User names have a
 * rule of their own (lib/db/users.c: they may hold '@').
 */
#ifndef COMRADARR_CORE_NAME_H
#define COMRADARR_CORE_NAME_H

#include "core/err.h"

#define NAME_MAX_LEN 63

/* 0 when name follows the rule; else -1 with ERR_USAGE naming what it is. */
int name_check(const char *what, const char *name, struct err *e);

#endif
