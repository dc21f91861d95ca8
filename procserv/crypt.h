/*
 * crypt.h - SHA-512 and the SHA-512 crypt password hash ("$6$", glibc's
 * and Debian's default for /etc/shadow). Pure, so that it is tested on
 * the host (tests/host/test_crypt.c) against known vectors.
 */
#ifndef CRYPT_H
#define CRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sha512 {
	uint64_t h[8];
	uint64_t len;      /* bytes hashed so far */
	uint8_t buf[128];  /* a partial block */
};

void sha512_init(struct sha512 *c);
void sha512_add(struct sha512 *c, const void *data, size_t n);
void sha512_done(struct sha512 *c, uint8_t out[64]);

/* The longest "$6$rounds=N$salt$hash" string, with its NUL. */
#define CRYPT_MAX 128

/* Hash key with setting ("$6$[rounds=N$]salt[$...]") into out, as
 * crypt(3) does: 0, or -1 when setting is not a SHA-512 one. */
int crypt_sha512(const char *key, const char *setting, char out[CRYPT_MAX]);

/* Whether key hashes to the stored hash (a "$6$" string), compared in
 * time that does not depend on where they differ. */
bool crypt_check(const char *key, const char *stored);

#endif
