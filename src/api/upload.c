/*
 * upload.c - POST /upload (../shared/spec/http.md §3.4) and the upload
 * directory.
 *
 * The multipart body streams through aa_multipart into a temporary file in
 * the server's upload directory while its SHA-256 is computed; at the end
 * the file moves to <dir>/<first 8 bytes of the digest, hex>/<base name>,
 * as upstream names it.  Only the part headers are held in memory; a file
 * over 10 MiB is refused (400) without keeping its bytes; file names go
 * through aa_multipart_filename, so no path can leave the directory.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "http/http.h"
#include "base/log.h"
#include "api/json.h"
#include "http/multipart.h"
#include "base/sha256.h"
#include "api/upload.h"

/* A streamed upload in progress. */
struct upload {
	const char *dir;	 /* the upload directory (the API's) */
	struct aa_log log;
	struct aa_http_req *req;
	struct aa_multipart mp;
	struct aa_sha256 sha;
	char tmp[PATH_MAX];
	char name[256];
	int fd;
	int in_file;
	int nfiles;
	size_t size;
	int status;	 /* error status decided while parsing, 0 = fine */
	const char *msg; /* its errors[0].message */
	const char *loc; /* its errors[0].location */
	int answered;
};

/* Throws away a failed upload's temporary file. */
static void
upload_discard(struct upload *u)
{
	if (u->fd >= 0) {
		close(u->fd);
		u->fd = -1;
	}
	if (u->tmp[0] != '\0') {
		unlink(u->tmp);
		u->tmp[0] = '\0';
	}
}

/* Remembers the first error of an upload. */
static int
upload_fail(struct upload *u, int status, const char *msg, const char *loc)
{
	if (u->status == 0) {
		u->status = status;
		u->msg = msg;
		u->loc = loc;
	}
	upload_discard(u);
	return 1;
}

/* multipart: a part starts. */
static int
up_begin(void *arg, const char *name, const char *filename, const char *ct)
{
	struct upload *u = arg;

	(void)ct;
	if (name == NULL || strcmp(name, "file") != 0 || filename == NULL)
		return 0; /* other form fields are ignored */
	if (++u->nfiles > 1)
		return upload_fail(u, 422,
		    "Multiple files received but only one was expected",
		    "file");
	if (aa_multipart_filename(filename, u->name, sizeof(u->name)) != 0)
		return upload_fail(u, 422, "invalid file name", "file");
	if ((size_t)snprintf(u->tmp, sizeof(u->tmp), "%s/.upload-XXXXXX",
		u->dir) >= sizeof(u->tmp))
		u->fd = -1;
	else
		u->fd = mkostemp(u->tmp, O_CLOEXEC);
	if (u->fd < 0) {
		u->tmp[0] = '\0';
		return upload_fail(u, 500, "failed to write file", NULL);
	}
	aa_sha256_init(&u->sha);
	u->in_file = 1;
	return 0;
}

/* multipart: bytes of a part. */
static int
up_data(void *arg, const char *p, size_t n)
{
	struct upload *u = arg;
	ssize_t w;

	if (!u->in_file)
		return 0;
	u->size += n;
	if (u->size > AA_UPLOAD_FILE_LIMIT)
		return upload_fail(u, 400, "file size exceeds 10MB limit",
		    NULL);
	aa_sha256_update(&u->sha, p, n);
	while (n > 0) {
		w = write(u->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return upload_fail(u, 500, "failed to write file",
			    NULL);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* multipart: a part ends. */
static int
up_end(void *arg)
{
	struct upload *u = arg;

	u->in_file = 0;
	return 0;
}

static const struct aa_multipart_cbs up_cbs = { up_begin, up_data, up_end };

/* Body sink of POST /upload. */
static int
up_sink(void *arg, const char *p, size_t n)
{
	struct upload *u = arg;

	if (u->status != 0)
		return 0; /* discard the rest; the answer comes at the end */
	if (aa_multipart_feed(&u->mp, p, n) != 0 && u->status == 0)
		upload_fail(u, 422, "cannot read multipart form: malformed "
				    "body",
		    "body");
	return 0;
}

/* Moves the finished upload to <dir>/<sha256[0:8] hex>/<name>. */
static int
upload_place(struct upload *u, char *path, size_t size)
{
	unsigned char d[32];
	char dir[PATH_MAX];
	int i, n;

	aa_sha256_final(&u->sha, d);
	n = snprintf(dir, sizeof(dir), "%s/", u->dir);
	for (i = 0; i < 8; i++)
		n += snprintf(dir + n, sizeof(dir) - (size_t)n, "%02x", d[i]);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return AA__ERR(errno);
	if ((size_t)snprintf(path, size, "%s/%s", dir, u->name) >= size)
		return AA_E2BIG;
	if (fchmod(u->fd, 0644) != 0 || close(u->fd) != 0) {
		u->fd = -1;
		return AA__ERR(errno);
	}
	u->fd = -1;
	if (rename(u->tmp, path) != 0)
		return AA__ERR(errno);
	u->tmp[0] = '\0';
	return 0;
}

/* The upload's body is complete: answer. */
static void
up_done(struct aa_http_req *req, void *arg)
{
	struct upload *u = arg;
	char path[PATH_MAX];
	cJSON *o;

	if (u->status == 0 && aa_multipart_finish(&u->mp) != 0)
		upload_fail(u, 422, "cannot read multipart form: unexpected "
				    "end of body",
		    "body");
	if (u->status == 0 && u->nfiles == 0)
		upload_fail(u, 422, "File required", "file");
	if (u->status == 0 && upload_place(u, path, sizeof(path)) != 0)
		upload_fail(u, 500, "failed to upload file: cannot store the "
				    "file",
		    NULL);
	u->answered = 1;
	if (u->status != 0) {
		aa_json_send_one(req, u->status,
		    u->status == 422 ? "validation failed"
				     : u->status == 400 ? u->msg
							: "unexpected error occurred",
		    u->msg, u->loc, NULL);
		return;
	}
	AA_LOG(&u->log, AA_LOG_INFO, "Uploaded file path=%s", path);
	o = cJSON_CreateObject();
	if (o == NULL || cJSON_AddTrueToObject(o, "ok") == NULL ||
	    cJSON_AddStringToObject(o, "filePath", path) == NULL)
		aa_json_send_error(req, 500, "out of memory");
	else
		aa_json_send(req, 200, "UploadResponseBody", o);
	cJSON_Delete(o);
}

/* The upload's request is over (answered or abandoned): clean up. */
static void
up_closed(struct aa_http_req *req, void *arg)
{
	struct upload *u = arg;

	(void)req;
	upload_discard(u);
	free(u);
}

/* A completed upload answer: free the state once the reply went out. */
static void
up_finish(struct aa_http_req *req, void *arg)
{
	up_done(req, arg);
	up_closed(req, arg);
}

void
aa_upload_handle(struct aa_http_req *req, const char *dir,
    const struct aa_log *log)
{
	struct upload *u;

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		aa_json_send_error(req, 500, "out of memory");
		return;
	}
	u->dir = dir;
	u->log = *log;
	u->req = req;
	u->fd = -1;
	if (aa_multipart_init(&u->mp, aa_http_req_header(req, "Content-Type"),
		&up_cbs, u) != 0)
		upload_fail(u, 422,
		    "cannot read multipart form: request Content-Type isn't "
		    "multipart/form-data",
		    "body");
	aa_http_req_on_close(req, up_closed, u);
	aa_http_req_set_body_sink(req, up_sink, up_finish, u);
}

int
aa_upload_dir_create(char *dir, size_t size, const char *parent,
    char **cause)
{
	if (parent == NULL || *parent == '\0')
		parent = getenv("TMPDIR");
	if (parent == NULL || *parent == '\0')
		parent = "/tmp";
	if ((size_t)snprintf(dir, size, "%s/agentapi-uploads-XXXXXX",
		parent) >= size) {
		dir[0] = '\0';
		if (cause != NULL)
			*cause = strdup("failed to create upload directory: "
					"path too long");
		return AA_E2BIG;
	}
	if (mkdtemp(dir) == NULL) {
		int err = errno;

		if (cause != NULL &&
		    asprintf(cause, "failed to create upload directory: %s",
			strerror(err)) < 0)
			*cause = NULL;
		dir[0] = '\0';
		return AA__ERR(err);
	}
	return 0;
}

/* Removes a directory and what is in it, depth levels deep at most (the
 * upload directory holds <hash>/<file>, nothing deeper). */
static void
remove_tree(const char *dir, int depth)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (dir[0] == '\0' || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
			e->d_name) >= sizeof(path))
			continue;
		if (e->d_type == DT_DIR && depth > 0)
			remove_tree(path, depth - 1);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}


void
aa_upload_dir_remove(const char *dir)
{
	remove_tree(dir, 1);
}
