/*
 * fuzz-multipart.c - multipart/form-data bodies and Content-Type values.
 *
 * Input: first byte = read size, then the body.  The same bytes' first
 * line is also tried as a Content-Type (boundary extraction) and every
 * file name the parser reports goes through aa_multipart_filename().
 */
#include <stdint.h>
#include <string.h>

#include "base/aa-internal.h"
#include "http/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
begin(void *arg, const char *name, const char *file, const char *ct)
{
	char out[300];

	(void)arg;
	(void)ct;
	if (file != NULL && aa_multipart_filename(file, out, sizeof(out)) ==
	    0 && (strchr(out, '/') != NULL || strcmp(out, "..") == 0))
		__builtin_trap(); /* traversal must be impossible */
	return name[0] == '!';
}

static int
piece(void *arg, const char *p, size_t n)
{
	size_t *total = arg;

	(void)p;
	*total += n;
	return 0;
}

static int
end(void *arg)
{
	(void)arg;
	return 0;
}

static const struct aa_multipart_cbs cbs = { begin, piece, end };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aa_multipart m;
	char ct[256], b[80];
	size_t off = 1, step, total = 0, n;

	if (size < 1)
		return 0;
	n = AA__MIN(size - 1, sizeof(ct) - 1);
	memcpy(ct, data + 1, n);
	ct[n] = '\0';
	(void)aa_multipart_boundary(ct, b, sizeof(b));
	step = data[0] + 1;
	if (aa_multipart_init(&m, "multipart/form-data; boundary=b", &cbs,
	    &total) != 0)
		return 0;
	while (off < size) {
		n = AA__MIN(step, size - off);
		if (aa_multipart_feed(&m, (const char *)data + off, n) != 0)
			return 0;
		off += n;
	}
	(void)aa_multipart_finish(&m);
	return 0;
}
