/*
 * test_crypt.c - SHA-512 and SHA-512 crypt (procserv/crypt.c): FIPS
 * 180-4 digests (padding at the block edges, a long message fed in
 * pieces), the vectors of Drepper's specification and hashes made by
 * glibc/libxcrypt's crypt(3) (Python's crypt module), rounds clamped to
 * 1000, a salt cut at 16 characters, and crypt_check.
 */
#include "htest.h"
#include "../../procserv/crypt.h"

static void
hex(const uint8_t d[64], char out[129])
{
	for (unsigned i = 0; i < 64; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void
test_sha512(void)
{
	static const struct {
		char c;
		size_t n;
		const char *hex;
	} cases[] = {
		{0, 0, "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
		{'a', 111, "fa9121c7b32b9e01733d034cfc78cbf67f926c7ed83e82200ef86818196921760b4beff48404df811b953828274461673c68d04e297b0eb7b2b4d60fc6b566a2"},
		{'a', 112, "c01d080efd492776a1c43bd23dd99d0a2e626d481e16782e75d54c2503b5dc32bd05f0f1ba33e568b88fd2d970929b719ecbb152f58f130a407c8830604b70ca"},
		{'a', 1000, "67ba5535a46e3f86dbfbed8cbbaf0125c76ed549ff8b0b9e03e0c88cf90fa634fa7b12b47d77b694de488ace8d9a65967dc96df599727d3292a8d9d447709c97"},
	};
	htest_group("sha512");
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sha512 c;
		uint8_t d[64];
		char h[129];
		sha512_init(&c);
		for (size_t k = 0; k < cases[i].n; k++) /* a byte at a time */
			sha512_add(&c, &cases[i].c, 1);
		sha512_done(&c, d);
		hex(d, h);
		CHECKF(!strcmp(h, cases[i].hex), "%zu bytes: %s", cases[i].n, h);
	}
	struct sha512 c;
	uint8_t d[64];
	char h[129];
	sha512_init(&c);
	sha512_add(&c, "abc", 3);
	sha512_done(&c, d);
	hex(d, h);
	CHECK(!strcmp(h, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"));
}

static const struct {
	const char *key, *setting, *hash;
} vectors[] = {
	{"Hello world!", "$6$saltstring",
	 "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"},
	{"Hello world!", "$6$rounds=10000$saltstringsaltstring",
	 "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v."},
	{"This is just a test", "$6$rounds=5000$toolongsaltstring",
	 "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0"},
	{"a very much longer text to encrypt.  This one even stretches over morethan one line.",
	 "$6$rounds=1400$anotherlongsaltstring",
	 "$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1"},
	{"we have a short salt string but not a short password",
	 "$6$rounds=77777$short",
	 "$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0"},
	{"the minimum number is still observed", "$6$rounds=10$roundstoolow",
	 "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX."},
	{"uxrt", "$6$uxrtsalt",
	 "$6$uxrtsalt$B92bbBo2aWSe1B.9.MgDcm4RIHyXNJpqa6JBr6U/xr9jLHM24.nwQsFt6T48kCtwupZWKlJUNMkazg1Ht3nR7/"},
	{"", "$6$empty",
	 "$6$empty$MWslJBrCvUsbDfvDkNQwBNtJFEGiZ5CHosSR8Ol/yMiSd9JINPGkSH4OfOOVEIp87YcT49Wr.Qp4a8bJCR6y2/"},
};

static void
test_crypt(void)
{
	char out[CRYPT_MAX];
	htest_group("crypt");
	for (unsigned i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		CHECK_EQ(crypt_sha512(vectors[i].key, vectors[i].setting, out), 0);
		CHECKF(!strcmp(out, vectors[i].hash), "%s: %s", vectors[i].setting,
		       out);
		/* a stored hash is its own setting */
		CHECK_EQ(crypt_sha512(vectors[i].key, vectors[i].hash, out), 0);
		CHECKF(!strcmp(out, vectors[i].hash), "again: %s", out);
	}
	char key[201];
	memset(key, 'x', 200);
	key[200] = '\0';
	CHECK_EQ(crypt_sha512(key, "$6$long$", out), 0);
	CHECK(!strcmp(out, "$6$long$RTZRAtTLWgpadPx5OeOFsuzafa7m3kN6Wg1my.cQOn3qjpHNj9LywSoA.kJYKMP.BhjKdF5OZsCM58Vsx983f/"));
	CHECK_EQ(crypt_sha512("x", "$5$salt", out), -1);
	CHECK_EQ(crypt_sha512("x", "$6$rounds=$s", out), -1);
	CHECK_EQ(crypt_sha512("x", "$6$rounds=12", out), -1);
	CHECK_EQ(crypt_sha512("x", "", out), -1);
	/* an absurd round count is refused, not overflowed */
	CHECK_EQ(crypt_sha512("x", "$6$rounds=99999999999999999999$s", out), -1);
}

static void
test_check(void)
{
	htest_group("check");
	CHECK(crypt_check("uxrt", vectors[6].hash));
	CHECK(!crypt_check("wrong", vectors[6].hash));
	CHECK(!crypt_check("uxr", vectors[6].hash));
	CHECK(!crypt_check("uxrt", "*"));
	CHECK(!crypt_check("uxrt", "!"));
	CHECK(!crypt_check("", ""));
	CHECK(!crypt_check("uxrt", "$6$uxrtsalt$"));
	CHECK(crypt_check("", vectors[7].hash));
}

int
main(void)
{
	test_sha512();
	test_crypt();
	test_check();
	return htest_finish("test_crypt");
}
