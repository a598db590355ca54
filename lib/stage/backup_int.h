/* backup_int.h - what the backup modules share (not an API). */
#ifndef COMRADARR_STAGE_BACKUP_INT_H
#define COMRADARR_STAGE_BACKUP_INT_H

#include "stage/backup.h"

/* A report line: to o->line for a person, else a JSON line (obj stolen). */
void backup_emit(const struct backup_opts *o, const char *event, json_t *obj);

#endif
