#include <ctype.h>
#include <string.h>

#include "core/name.h"
#include "core/banned.h"

int
name_check(const char *what, const char *name, struct err *e)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n == 0 || n > NAME_MAX_LEN || !isalnum((unsigned char)name[0]))
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '.' && name[i] != '_' &&
		    name[i] != '-')
			goto bad;
	}
	return 0;
bad:
	return err_set(e, ERR_USAGE, "%s name '%.64s' is not valid: use 1-%d letters, digits, '.', "
		       "'_' or '-', starting with a letter or digit", what, name != NULL ? name : "",
		       NAME_MAX_LEN);
}
