/*
 * secretkey.c - SECRET_KEY parsing, generation and the key file (Req 30.3).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/config.h"
#include "core/log.h"
#include "crypto/secretbox.h"
#include "core/banned.h"

/* Changing this changes every key id: it is part of the wire format. */
#define KEY_ID_CONTEXT	"comradarr secret key id v1"
/* A key file holds 64 hex characters; anything much bigger is not one. */
#define KEY_FILE_MAX	1024

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void
key_compute_id(struct secret_key *k)
{
	unsigned char h[crypto_generichash_BYTES];
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)KEY_ID_CONTEXT,
				  sizeof(KEY_ID_CONTEXT) - 1);
	crypto_generichash_update(&st, k->key, sizeof(k->key));
	crypto_generichash_final(&st, h, sizeof(h));
	memcpy(k->id, h, sizeof(k->id));
	sodium_memzero(&st, sizeof(st));
}

void
secret_key_wipe(struct secret_key *k)
{
	if (k != NULL)
		sodium_memzero(k, sizeof(*k));
}

void
secret_key_id_hex(const struct secret_key *k, char out[17])
{
	sodium_bin2hex(out, 17, k->id, sizeof(k->id));
}

/* Decode exactly 32 bytes from text[0..len) as hex or one base64 variant. */
static int
key_decode(const char *text, size_t len, unsigned char key[32])
{
	static const int variants[] = {
		sodium_base64_VARIANT_ORIGINAL,
		sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
		sodium_base64_VARIANT_URLSAFE,
		sodium_base64_VARIANT_URLSAFE_NO_PADDING,
	};
	const char *end = NULL;
	size_t n = 0, i;

	if (len == 64 && sodium_hex2bin(key, 32, text, len, NULL, &n, &end) == 0 &&
	    n == 32 && end == text + len)
		return 0;
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		n = 0;
		end = NULL;
		if (sodium_base642bin(key, 32, text, len, NULL, &n, &end, variants[i]) == 0 &&
		    n == 32 && end == text + len)
			return 0;
	}
	sodium_memzero(key, 32);
	return -1;
}

int
secret_key_parse(const char *text, struct secret_key *k, struct err *e)
{
	unsigned char zero[32] = { 0 };
	size_t start = 0, len;
	int ret = -1;

	secret_key_wipe(k);
	if (sodium_init() < 0) {
		err_set(e, ERR_CRYPTO, "cannot initialise libsodium");
		goto out;
	}
	if (text == NULL) {
		err_set(e, ERR_CONFIG, "SECRET_KEY is empty; set it to 64 hex characters "
			"or unset it to have one generated");
		goto out;
	}
	len = strlen(text);
	while (start < len && is_space(text[start]))
		start++;
	while (len > start && is_space(text[len - 1]))
		len--;
	len -= start;
	if (len == 0) {
		err_set(e, ERR_CONFIG, "SECRET_KEY is empty; set it to 64 hex characters "
			"or unset it to have one generated");
		goto out;
	}
	/* The message names the length only: the text itself may be the key. */
	if (key_decode(text + start, len, k->key) < 0) {
		err_set(e, ERR_CONFIG, "SECRET_KEY is not a 32-byte key (%zu characters); "
			"expected 64 hex characters or base64 of exactly 32 bytes", len);
		goto out;
	}
	if (sodium_memcmp(k->key, zero, sizeof(zero)) == 0) {
		err_set(e, ERR_CONFIG, "SECRET_KEY is all zero bytes, which is a placeholder, "
			"not a key; set it to 32 random bytes");
		goto out;
	}
	key_compute_id(k);
	ret = 0;
out:
	if (ret < 0)
		secret_key_wipe(k);
	return ret;
}

/*
 * mkdir, mode 0700.  A directory we create as root goes to the service
 * user (config_service_owner): the units must be able to enter it.
 */
static int
make_dir(const char *dir, struct err *e)
{
	uid_t uid;
	gid_t gid;

	if (mkdir(dir, 0700) < 0) {
		if (errno == EEXIST)
			return 0;
		return err_set(e, ERR_IO, "cannot create directory \"%s\": %s", dir,
			       strerror(errno));
	}
	if (config_service_owner(&uid, &gid) && chown(dir, uid, gid) < 0)
		return err_set(e, ERR_IO, "cannot give \"%s\" to the user %s: %s", dir,
			       COMRADARR_SERVICE_USER, strerror(errno));
	return 0;
}

/* mkdir -p for the directory part of path, new directories mode 0700. */
static int
make_parent_dirs(const char *path, struct err *e)
{
	char dir[PATH_MAX];
	char *slash;
	size_t i;
	int n;

	n = snprintf(dir, sizeof(dir), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return err_set(e, ERR_CONFIG, "key file path \"%s\" is too long", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (i = 1; dir[i] != '\0'; i++) {
		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		if (make_dir(dir, e) < 0)
			return -1;
		dir[i] = '/';
	}
	return make_dir(dir, e);
}

/*
 * Move tmp to path unless path exists.  rename(2) would replace it, so use
 * renameat2(RENAME_NOREPLACE), and link(2) + unlink(2) (also atomic, also
 * never replacing) where the file system does not support that flag.
 * Returns 0, 1 when path already existed, -1 on error (errno set).
 */
static int
rename_noreplace(const char *tmp, const char *path)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST)
		return 1;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (link(tmp, path) < 0)
		return errno == EEXIST ? 1 : -1;
	unlink(tmp);
	return 0;
}

static int
fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd, rc;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -1;
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * Write a new key to path.  Returns 0 when written (k filled), 1 when the
 * file appeared meanwhile (another tool won the race; nothing written), -1
 * on error.
 */
static int
key_file_create(const char *path, struct secret_key *k, struct err *e)
{
	char tmp[PATH_MAX];
	char hex[65 + 1];
	size_t off = 0;
	ssize_t w;
	int fd = -1, rc, ret = -1;
	int tmp_made = 0;
	uid_t uid;
	gid_t gid;

	if (make_parent_dirs(path, e) < 0)
		goto out;
	rc = snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	if (rc < 0 || (size_t)rc >= sizeof(tmp)) {
		err_set(e, ERR_CONFIG, "key file path \"%s\" is too long", path);
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err_set(e, ERR_IO, "cannot create a file next to \"%s\": %s; check the "
			"directory's permissions or set SECRET_KEY", path, strerror(errno));
		goto out;
	}
	tmp_made = 1;
	if (fchmod(fd, 0600) < 0) {
		err_set(e, ERR_IO, "cannot restrict \"%s\" to mode 0600: %s", tmp,
			strerror(errno));
		goto out;
	}
	if (config_service_owner(&uid, &gid) && fchown(fd, uid, gid) < 0) {
		err_set(e, ERR_IO, "cannot give \"%s\" to the user %s: %s", tmp,
			COMRADARR_SERVICE_USER, strerror(errno));
		goto out;
	}
	randombytes_buf(k->key, sizeof(k->key));
	key_compute_id(k);
	sodium_bin2hex(hex, sizeof(hex), k->key, sizeof(k->key));
	hex[64] = '\n';
	hex[65] = '\0';
	while (off < 65) {
		w = write(fd, hex + off, 65 - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err_set(e, ERR_IO, "cannot write key file \"%s\": %s", tmp,
				w < 0 ? strerror(errno) : "short write");
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		err_set(e, ERR_IO, "cannot sync key file \"%s\": %s", tmp, strerror(errno));
		goto out;
	}
	rc = close(fd);
	fd = -1;
	if (rc < 0) {
		err_set(e, ERR_IO, "cannot write key file \"%s\": %s", tmp, strerror(errno));
		goto out;
	}
	rc = rename_noreplace(tmp, path);
	if (rc < 0) {
		err_set(e, ERR_IO, "cannot move the new key into \"%s\": %s", path,
			strerror(errno));
		goto out;
	}
	if (rc == 0) {
		tmp_made = 0;
		/* Without this a crash could lose the name after data was sealed. */
		if (fsync_parent(path) < 0) {
			err_set(e, ERR_IO, "cannot sync the directory of \"%s\": %s", path,
				strerror(errno));
			goto out;
		}
	}
	ret = rc;
out:
	sodium_memzero(hex, sizeof(hex));
	if (fd >= 0)
		close(fd);
	if (tmp_made)
		unlink(tmp);
	if (ret != 0)
		secret_key_wipe(k);
	return ret;
}

/* Read and parse an existing key file.  Returns 0, 1 when it does not exist, -1. */
static int
key_file_read(const char *path, struct secret_key *k, struct err *e)
{
	char text[KEY_FILE_MAX + 1];
	struct stat st;
	size_t len = 0;
	ssize_t r;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return err_set(e, ERR_IO, "cannot open key file \"%s\": %s; check its "
			       "permissions or set SECRET_KEY", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err_set(e, ERR_CONFIG, "key file \"%s\" is not a regular file", path);
		goto out;
	}
	/* As ssh refuses a private key others can read: a key anyone else could
	 * have copied is no longer a secret, and saying so beats going on. */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		err_set(e, ERR_CONFIG, "key file \"%s\" can be read by other users (mode %04o): "
			"run 'chmod 600 %s' and check who may have copied it", path,
			(unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	for (;;) {
		r = read(fd, text + len, sizeof(text) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_set(e, ERR_IO, "cannot read key file \"%s\": %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == sizeof(text)) {
			err_set(e, ERR_CONFIG, "key file \"%s\" is larger than %d bytes; it should "
				"hold only the key", path, KEY_FILE_MAX);
			goto out;
		}
	}
	text[len] = '\0';
	if (memchr(text, '\0', len) != NULL) {
		err_set(e, ERR_CONFIG, "key file \"%s\" does not hold a key", path);
		goto out;
	}
	if (secret_key_parse(text, k, e) < 0) {
		err_prefix(e, "key file \"%s\"", path);
		goto out;
	}
	ret = 0;
out:
	sodium_memzero(text, sizeof(text));
	close(fd);
	return ret;
}

int
secret_key_file_install(const char *path, const char *new_path, const char *old_path,
			struct err *e)
{
	struct secret_key a, b;
	int rc, ret = -1;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (link(path, old_path) < 0) {
		if (errno != EEXIST) {
			err_set(e, ERR_IO, "cannot keep the old key as \"%s\": %s", old_path,
				strerror(errno));
			goto out;
		}
		if (key_file_read(path, &a, e) != 0 || key_file_read(old_path, &b, e) != 0) {
			if (e->kind == ERR_NONE)
				err_set(e, ERR_IO, "a key file vanished during the rotation; retry");
			goto out;
		}
		if (sodium_memcmp(a.key, b.key, sizeof(a.key)) != 0) {
			err_set(e, ERR_CONFLICT, "\"%s\" holds another key than \"%s\": a key file "
				"was changed during the rotation; put the right one back", old_path,
				path);
			goto out;
		}
	}
	if (rename(new_path, path) < 0) {
		err_set(e, ERR_IO, "cannot move the new key to \"%s\": %s", path, strerror(errno));
		goto out;
	}
	rc = fsync_parent(path);
	if (rc < 0) {
		err_set(e, ERR_IO, "cannot sync the directory of \"%s\": %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	secret_key_wipe(&a);
	secret_key_wipe(&b);
	return ret;
}

int
secret_key_load(const char *env_value, const char *path, struct secret_key *k,
		int *generated, struct err *e)
{
	int attempt, rc, ret = -1;

	secret_key_wipe(k);
	if (generated != NULL)
		*generated = 0;
	if (sodium_init() < 0) {
		err_set(e, ERR_CRYPTO, "cannot initialise libsodium");
		goto out;
	}
	if (env_value != NULL && env_value[0] != '\0') {
		ret = secret_key_parse(env_value, k, e);
		goto out;
	}
	if (path == NULL || path[0] == '\0') {
		err_set(e, ERR_CONFIG, "SECRET_KEY is not set and there is no key file path; "
			"set SECRET_KEY");
		goto out;
	}
	/* Two rounds: a file that appears between our read and our create is a
	 * racing tool's; the second read loads it. */
	for (attempt = 0; attempt < 2; attempt++) {
		rc = key_file_read(path, k, e);
		if (rc < 0)
			goto out;
		if (rc == 0) {
			ret = 0;
			goto out;
		}
		rc = key_file_create(path, k, e);
		if (rc < 0)
			goto out;
		if (rc == 0) {
			if (generated != NULL)
				*generated = 1;
			ret = 0;
			goto out;
		}
	}
	err_set(e, ERR_IO, "key file \"%s\" appeared and vanished while loading it; retry",
		path);
out:
	if (ret < 0)
		secret_key_wipe(k);
	return ret;
}
