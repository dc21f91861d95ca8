/*
 * crypt.c - SHA-512 (FIPS 180-4) and the SHA-512 crypt algorithm of
 * Ulrich Drepper's specification ("Unix crypt using SHA-256 and
 * SHA-512"), the "$6$" hashes of /etc/shadow. Used by the process server
 * to check a password for a role (roles.c); tested on the host.
 */
#include "crypt.h"

#include <string.h>

static const uint64_t K[80] = {
	0x428a2f98d728ae22ull, 0x7137449123ef65cdull, 0xb5c0fbcfec4d3b2full,
	0xe9b5dba58189dbbcull, 0x3956c25bf348b538ull, 0x59f111f1b605d019ull,
	0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull, 0xd807aa98a3030242ull,
	0x12835b0145706fbeull, 0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull,
	0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull, 0x9bdc06a725c71235ull,
	0xc19bf174cf692694ull, 0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull,
	0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull, 0x2de92c6f592b0275ull,
	0x4a7484aa6ea6e483ull, 0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull,
	0x983e5152ee66dfabull, 0xa831c66d2db43210ull, 0xb00327c898fb213full,
	0xbf597fc7beef0ee4ull, 0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull,
	0x06ca6351e003826full, 0x142929670a0e6e70ull, 0x27b70a8546d22ffcull,
	0x2e1b21385c26c926ull, 0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull,
	0x650a73548baf63deull, 0x766a0abb3c77b2a8ull, 0x81c2c92e47edaee6ull,
	0x92722c851482353bull, 0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull,
	0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull, 0xd192e819d6ef5218ull,
	0xd69906245565a910ull, 0xf40e35855771202aull, 0x106aa07032bbd1b8ull,
	0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull, 0x2748774cdf8eeb99ull,
	0x34b0bcb5e19b48a8ull, 0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull,
	0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull, 0x748f82ee5defb2fcull,
	0x78a5636f43172f60ull, 0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull,
	0x90befffa23631e28ull, 0xa4506cebde82bde9ull, 0xbef9a3f7b2c67915ull,
	0xc67178f2e372532bull, 0xca273eceea26619cull, 0xd186b8c721c0c207ull,
	0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull, 0x06f067aa72176fbaull,
	0x0a637dc5a2c898a6ull, 0x113f9804bef90daeull, 0x1b710b35131c471bull,
	0x28db77f523047d84ull, 0x32caab7b40c72493ull, 0x3c9ebe0a15c9bebcull,
	0x431d67c49c100d4cull, 0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull,
	0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull,
};

static uint64_t
ror(uint64_t x, unsigned n)
{
	return x >> n | x << (64 - n);
}

static void
block(struct sha512 *c, const uint8_t *p)
{
	uint64_t w[80], v[8];
	for (unsigned i = 0; i < 16; i++) {
		w[i] = 0;
		for (unsigned j = 0; j < 8; j++)
			w[i] = w[i] << 8 | p[i * 8 + j];
	}
	for (unsigned i = 16; i < 80; i++) {
		uint64_t s0 = ror(w[i - 15], 1) ^ ror(w[i - 15], 8) ^
			      w[i - 15] >> 7;
		uint64_t s1 = ror(w[i - 2], 19) ^ ror(w[i - 2], 61) ^
			      w[i - 2] >> 6;
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, c->h, sizeof v);
	for (unsigned i = 0; i < 80; i++) {
		uint64_t s1 = ror(v[4], 14) ^ ror(v[4], 18) ^ ror(v[4], 41);
		uint64_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
		uint64_t t1 = v[7] + s1 + ch + K[i] + w[i];
		uint64_t s0 = ror(v[0], 28) ^ ror(v[0], 34) ^ ror(v[0], 39);
		uint64_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
		memmove(v + 1, v, 7 * sizeof v[0]);
		v[4] += t1;
		v[0] = t1 + s0 + maj;
	}
	for (unsigned i = 0; i < 8; i++)
		c->h[i] += v[i];
}

void
sha512_init(struct sha512 *c)
{
	static const uint64_t iv[8] = {
		0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull,
		0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
		0x510e527fade682d1ull, 0x9b05688c2b3e6c1full,
		0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
	};
	memcpy(c->h, iv, sizeof iv);
	c->len = 0;
}

void
sha512_add(struct sha512 *c, const void *data, size_t n)
{
	const uint8_t *p = data;
	while (n) {
		size_t have = c->len % 128, take = 128 - have < n ? 128 - have : n;
		memcpy(c->buf + have, p, take);
		c->len += take;
		p += take;
		n -= take;
		if (c->len % 128 == 0)
			block(c, c->buf);
	}
}

void
sha512_done(struct sha512 *c, uint8_t out[64])
{
	uint64_t bits = c->len * 8;
	uint8_t pad[144] = {0x80};
	size_t have = c->len % 128;
	size_t n = (have < 112 ? 112 - have : 240 - have) + 16;
	for (unsigned i = 0; i < 8; i++)
		pad[n - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha512_add(c, pad, n);
	for (unsigned i = 0; i < 64; i++)
		out[i] = (uint8_t)(c->h[i / 8] >> (56 - 8 * (i % 8)));
}

/* n bytes of the 64-byte digest d, repeated as often as needed. */
static void
add_repeated(struct sha512 *c, const uint8_t d[64], size_t n)
{
	for (; n > 64; n -= 64)
		sha512_add(c, d, 64);
	sha512_add(c, d, n);
}

#define ROUNDS_DEFAULT 5000
#define ROUNDS_MIN 1000
#define ROUNDS_MAX 999999999ul
#define SALT_MAX 16

/* The setting's rounds and salt; -1 if it is not "$6$...". */
static int
parse_setting(const char *s, unsigned long *rounds, bool *custom,
	      const char **salt, size_t *salt_len)
{
	if (strncmp(s, "$6$", 3))
		return -1;
	s += 3;
	*rounds = ROUNDS_DEFAULT;
	*custom = false;
	if (!strncmp(s, "rounds=", 7)) {
		unsigned long r = 0;
		const char *q = s + 7;
		for (; *q >= '0' && *q <= '9' && r <= ROUNDS_MAX; q++)
			r = r * 10 + (unsigned long)(*q - '0');
		if (q == s + 7 || *q != '$')
			return -1;
		*rounds = r < ROUNDS_MIN ? ROUNDS_MIN
			  : r > ROUNDS_MAX ? ROUNDS_MAX : r;
		*custom = true;
		s = q + 1;
	}
	size_t n = 0;
	while (s[n] && s[n] != '$' && n < SALT_MAX)
		n++;
	*salt = s;
	*salt_len = n;
	return 0;
}

static const char b64[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* The digest in crypt's order and alphabet (86 characters). */
static char *
encode(const uint8_t a[64], char *o)
{
	for (unsigned k = 0; k < 21; k++) {
		unsigned x = k, y = k + 21, z = k + 42;
		unsigned t[3][3] = {{x, y, z}, {y, z, x}, {z, x, y}};
		const unsigned *i = t[k % 3];
		uint32_t w = (uint32_t)a[i[0]] << 16 | a[i[1]] << 8 | a[i[2]];
		for (unsigned j = 0; j < 4; j++, w >>= 6)
			*o++ = b64[w & 63];
	}
	uint32_t w = a[63];
	for (unsigned j = 0; j < 2; j++, w >>= 6)
		*o++ = b64[w & 63];
	*o = '\0';
	return o;
}

/* The final digest of key (klen bytes) with salt, rounds times. */
static void
digest(const char *key, size_t klen, const char *salt, size_t slen,
       unsigned long rounds, uint8_t a[64])
{
	struct sha512 c;
	uint8_t b[64], dp[64], ds[64];
	sha512_init(&c);
	sha512_add(&c, key, klen);
	sha512_add(&c, salt, slen);
	sha512_add(&c, key, klen);
	sha512_done(&c, b);

	sha512_init(&c);
	sha512_add(&c, key, klen);
	sha512_add(&c, salt, slen);
	add_repeated(&c, b, klen);
	for (size_t n = klen; n; n >>= 1)
		if (n & 1)
			sha512_add(&c, b, 64);
		else
			sha512_add(&c, key, klen);
	sha512_done(&c, a);

	sha512_init(&c);
	for (size_t i = 0; i < klen; i++)
		sha512_add(&c, key, klen);
	sha512_done(&c, dp); /* P is dp repeated to klen bytes */
	sha512_init(&c);
	for (unsigned i = 0; i < 16u + a[0]; i++)
		sha512_add(&c, salt, slen);
	sha512_done(&c, ds); /* S is ds's first slen bytes */

	for (unsigned long r = 0; r < rounds; r++) {
		sha512_init(&c);
		if (r & 1)
			add_repeated(&c, dp, klen);
		else
			sha512_add(&c, a, 64);
		if (r % 3)
			sha512_add(&c, ds, slen);
		if (r % 7)
			add_repeated(&c, dp, klen);
		if (r & 1)
			sha512_add(&c, a, 64);
		else
			add_repeated(&c, dp, klen);
		sha512_done(&c, a);
	}
	memset(b, 0, sizeof b);
	memset(dp, 0, sizeof dp);
}

int
crypt_sha512(const char *key, const char *setting, char out[CRYPT_MAX])
{
	unsigned long rounds;
	bool custom;
	const char *salt;
	size_t slen, klen = strlen(key);
	uint8_t a[64];
	if (parse_setting(setting, &rounds, &custom, &salt, &slen))
		return -1;
	digest(key, klen, salt, slen, rounds, a);
	char *o = out;
	memcpy(o, "$6$", 3);
	o += 3;
	if (custom) {
		char num[16];
		unsigned n = 0;
		for (unsigned long r = rounds; r || !n; r /= 10)
			num[n++] = (char)('0' + r % 10);
		memcpy(o, "rounds=", 7);
		o += 7;
		while (n)
			*o++ = num[--n];
		*o++ = '$';
	}
	memcpy(o, salt, slen);
	o += slen;
	*o++ = '$';
	encode(a, o);
	memset(a, 0, sizeof a);
	return 0;
}

bool
crypt_check(const char *key, const char *stored)
{
	char h[CRYPT_MAX];
	size_t n = strlen(stored);
	if (n >= CRYPT_MAX || crypt_sha512(key, stored, h) ||
	    strlen(h) != n)
		return false;
	unsigned diff = 0;
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned)(h[i] ^ stored[i]);
	return diff == 0;
}
