/*
 * cpio.c - see cpio.h. The newc header is 110 bytes of ASCII: a 6-byte
 * magic and 13 eight-digit hexadecimal fields; name and data are each
 * padded to a multiple of 4 bytes from the start of the archive.
 */
#include "cpio.h"

#define HDR 110

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
       F_DEVMAJ, F_DEVMIN, F_RDEVMAJ, F_RDEVMIN, F_NAMESIZE, F_CHECK };

static int
hex8(const char *p, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 8; i++) {
		char c = p[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static size_t
pad4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

enum cpio_error
cpio_next(const void *archive, size_t size, size_t *off, struct cpio_entry *e)
{
	const char *a = archive, *h;
	uint32_t f[13];
	size_t o = *off;

	if (o > size || size - o < HDR)
		return CPIO_E_SHORT;
	h = a + o;
	for (int i = 0; i < 5; i++)
		if (h[i] != "07070"[i])
			return CPIO_E_MAGIC;
	if (h[5] != '1' && h[5] != '2')
		return CPIO_E_MAGIC;
	for (int i = 0; i < 13; i++)
		if (hex8(h + 6 + 8 * i, &f[i]))
			return CPIO_E_FIELD;
	uint32_t ns = f[F_NAMESIZE];
	if (ns == 0)
		return CPIO_E_NAME;
	if (size - o - HDR < ns)
		return CPIO_E_SHORT;
	const char *name = h + HDR;
	if (name[ns - 1] != '\0')
		return CPIO_E_NAME;
	size_t data = pad4(o + HDR + ns);
	if (data > size || size - data < f[F_FILESIZE])
		return CPIO_E_SHORT;
	*e = (struct cpio_entry){
		.name = name, .namelen = ns - 1, .data = a + data,
		.size = f[F_FILESIZE], .mode = f[F_MODE], .uid = f[F_UID],
		.gid = f[F_GID], .mtime = f[F_MTIME]};
	*off = pad4(data + f[F_FILESIZE]);
	if (e->namelen == 10 && !__builtin_memcmp(name, "TRAILER!!!", 10))
		return CPIO_END;
	return CPIO_OK;
}

const char *
cpio_strerror(enum cpio_error e)
{
	static const char *const msg[] = {
		"no error", "end of archive", "archive truncated",
		"not a newc cpio archive", "malformed header field",
		"malformed file name"};
	return (unsigned)e < sizeof msg / sizeof msg[0] ? msg[e] : "?";
}
