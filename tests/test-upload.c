/*
 * test-upload.c - POST /upload (src/api/upload.c) over a real loopback
 * socket: the file streamed to <dir>/<sha256[0:8] hex>/<name>, the
 * refusals (no file, two files, not multipart, malformed, over 10 MiB),
 * no temporary file left behind by a failed or abandoned upload, and the
 * upload directory's creation and removal.
 *
 * As in test-http.c, the server runs on this thread's loop and a scripted
 * client in another thread uses blocking sockets with 5 s timeouts; it
 * asks the loop to end through a uv_async_t.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <uv.h>

#include "test.h"

#include "base/aa-internal.h"
#include "base/buf.h"
#include "http/http.h"
#include "api/json.h"
#include "api/upload.h"

struct fix;
typedef void (*client_fn)(struct fix *f);

struct fix {
	uv_loop_t loop;
	uv_async_t done;
	uv_fs_event_t watch; /* the upload dir changed: a byte in changed[] */
	int changed[2];
	struct aa_http_server *srv;
	char dir[4096];
	int port;
	client_fn client;
	pthread_t th;
};

static void
h_upload(struct aa_http_req *req, void *data)
{
	struct fix *f = data;

	aa_upload_handle(req, f->dir, NULL);
}

static const struct aa_http_route routes[] = {
	{ "POST", "/upload", h_upload, AA_UPLOAD_BODY_LIMIT,
	    AA_HTTP_STREAM_BODY },
};

static void
send_problem(struct aa_http_req *req, int status, const char *detail)
{
	(void)aa_json_send_error(req, status, detail);
}

static void
on_done(uv_async_t *a)
{
	struct fix *f = a->data;

	aa_http_server_close(f->srv, NULL, NULL);
	uv_close((uv_handle_t *)&f->done, NULL);
	uv_close((uv_handle_t *)&f->watch, NULL);
}

static void
on_change(uv_fs_event_t *h, const char *name, int events, int status)
{
	struct fix *f = h->data;

	(void)name;
	(void)events;
	(void)status;
	/* Non-blocking: a full pipe already says "changed". */
	if (write(f->changed[1], "x", 1) < 0)
		return;
}

static void *
client_main(void *arg)
{
	struct fix *f = arg;

	f->client(f);
	uv_async_send(&f->done);
	return NULL;
}

/* Runs one scripted client against a fresh server and upload dir. */
static void
fix_run(struct fix *f, client_fn fn)
{
	struct aa_http_options o;
	char *cause = NULL;

	signal(SIGPIPE, SIG_IGN);
	ASSERT_EQ(aa_upload_dir_create(f->dir, sizeof(f->dir), NULL, &cause),
	    0);
	ASSERT_EQ(uv_loop_init(&f->loop), 0);
	memset(&o, 0, sizeof(o));
	o.routes = routes;
	o.nroutes = AA__ARRAY_SIZE(routes);
	o.addrs = (const char *const[]){ "127.0.0.1" };
	o.naddrs = 1;
	o.data = f;
	o.send_error = send_problem;
	ASSERT_EQ(aa_http_server_new(&f->srv, &f->loop, &o, &cause), 0);
	f->port = aa_http_server_port(f->srv);
	uv_async_init(&f->loop, &f->done, on_done);
	f->done.data = f;
	ASSERT_EQ(pipe2(f->changed, O_NONBLOCK), 0);
	ASSERT_EQ(uv_fs_event_init(&f->loop, &f->watch), 0);
	f->watch.data = f;
	ASSERT_EQ(uv_fs_event_start(&f->watch, on_change, f->dir, 0), 0);
	f->client = fn;
	ASSERT_EQ(pthread_create(&f->th, NULL, client_main, f), 0);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	pthread_join(f->th, NULL);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	ASSERT_EQ(uv_loop_close(&f->loop), 0);
	close(f->changed[0]);
	close(f->changed[1]);
	aa_upload_dir_remove(f->dir);
	ASSERT_NE(access(f->dir, F_OK), 0); /* removed, files and all */
}

/* ---- the client ---- */

static int
cli_open(int port)
{
	struct sockaddr_in sa;
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ASSERT_GE(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void
cli_send(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return; /* the server may answer and close early */
		p += w;
		n -= (size_t)w;
	}
}

/* Reads the whole answer (the server closes after it); returns the
 * status and the body (malloc'd) in *body. */
static int
cli_answer(int fd, char **body)
{
	struct aa_buf b;
	char buf[4096], *sep;
	ssize_t n;
	int st = 0;

	aa_buf_init(&b);
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		aa_buf_append(&b, buf, (size_t)n);
	ASSERT_NOT_NULL(b.data);
	ASSERT_EQ(sscanf(b.data, "HTTP/1.1 %d", &st), 1);
	sep = strstr(b.data, "\r\n\r\n");
	ASSERT_NOT_NULL(sep);
	*body = strdup(sep + 4);
	aa_buf_release(&b);
	return st;
}

/* Builds a multipart body with the given parts ("name|filename|data",
 * filename "-" = a plain field) and boundary "BB". */
static void
multipart(struct aa_buf *b, const char *const *parts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char name[64], file[128];
		const char *data;

		ASSERT_EQ(sscanf(parts[i], "%63[^|]|%127[^|]|", name, file), 2);
		data = strchr(strchr(parts[i], '|') + 1, '|') + 1;
		aa_buf_printf(b, "--BB\r\nContent-Disposition: form-data; "
		    "name=\"%s\"", name);
		if (strcmp(file, "-") != 0)
			aa_buf_printf(b, "; filename=\"%s\"", file);
		aa_buf_printf(b, "\r\n\r\n%s\r\n", data);
	}
	aa_buf_puts(b, "--BB--\r\n");
}

/* POSTs body with a Content-Type; returns the status, *out the body. */
static int
post(struct fix *f, const char *ctype, const char *body, size_t len,
    char **out)
{
	char head[256];
	int fd = cli_open(f->port), st;

	snprintf(head, sizeof(head), "POST /upload HTTP/1.1\r\nHost: "
	    "localhost\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", ctype, len);
	cli_send(fd, head, strlen(head));
	cli_send(fd, body, len);
	st = cli_answer(fd, out);
	close(fd);
	return st;
}

/* POSTs a multipart body of parts; returns the status. */
static int
post_parts(struct fix *f, const char *const *parts, size_t n, char **out)
{
	struct aa_buf b;
	int st;

	aa_buf_init(&b);
	multipart(&b, parts, n);
	st = post(f, "multipart/form-data; boundary=BB", b.data, b.len, out);
	aa_buf_release(&b);
	return st;
}

/* Counts the entries of dir (without . and ..); *tmp the .upload-* ones. */
static int
count_entries(const char *dir, int *tmp)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	ASSERT_NOT_NULL(d);
	*tmp = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		if (strncmp(e->d_name, ".upload-", 8) == 0)
			(*tmp)++;
	}
	closedir(d);
	return n;
}

/* The filePath of an answer, checked to lie two levels under dir. */
static char *
file_path(struct fix *f, const char *body)
{
	cJSON *o = cJSON_Parse(body), *p;
	char *path;

	ASSERT_NOT_NULL(o);
	ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(o, "ok")));
	p = cJSON_GetObjectItem(o, "filePath");
	ASSERT(cJSON_IsString(p));
	path = strdup(p->valuestring);
	cJSON_Delete(o);
	ASSERT_EQ(strncmp(path, f->dir, strlen(f->dir)), 0);
	ASSERT_EQ(path[strlen(f->dir)], '/');
	return path;
}

static void
c_store(struct fix *f)
{
	static const char *const one[] = { "note|-|ignored field",
	    "file|a.txt|hello" };
	static const char *const again[] = { "file|b.txt|hello" };
	static const char *const evil[] = { "file|../../x/../evil.txt|zz" };
	char *body, *path, want[4200];
	size_t len;
	int tmp;

	ASSERT_EQ(post_parts(f, one, 2, &body), 200);
	path = file_path(f, body);
	/* sha256("hello") starts 2cf24dba5fb0a30e. */
	snprintf(want, sizeof(want), "%s/2cf24dba5fb0a30e/a.txt", f->dir);
	ASSERT_STR_EQ(path, want);
	free(body);
	body = test_read_file(path, &len);
	ASSERT_MEM_EQ(body, len, "hello", 5);
	free(body);
	free(path);
	/* The same bytes under another name: the same directory. */
	ASSERT_EQ(post_parts(f, again, 1, &body), 200);
	path = file_path(f, body);
	snprintf(want, sizeof(want), "%s/2cf24dba5fb0a30e/b.txt", f->dir);
	ASSERT_STR_EQ(path, want);
	free(body);
	free(path);
	/* A path in the name keeps its last element only. */
	ASSERT_EQ(post_parts(f, evil, 1, &body), 200);
	path = file_path(f, body);
	ASSERT_NOT_NULL(strstr(path + strlen(f->dir), "/evil.txt"));
	ASSERT_NULL(strstr(path + strlen(f->dir), ".."));
	free(body);
	free(path);
	ASSERT_EQ(count_entries(f->dir, &tmp), 2);
	ASSERT_EQ(tmp, 0);
}

TEST(upload_stores_by_digest_and_base_name)
{
	struct fix f = { 0 };

	fix_run(&f, c_store);
}

static void
c_refuse(struct fix *f)
{
	static const char *const none[] = { "other|x.txt|data" };
	static const char *const two[] = { "file|a|1", "file|b|2" };
	static const char *const badname[] = { "file|..|x" };
	char *body;
	int tmp;

	ASSERT_EQ(post_parts(f, none, 1, &body), 422);
	ASSERT_NOT_NULL(strstr(body, "File required"));
	free(body);
	ASSERT_EQ(post_parts(f, two, 2, &body), 422);
	ASSERT_NOT_NULL(strstr(body, "Multiple files received"));
	free(body);
	ASSERT_EQ(post_parts(f, badname, 1, &body), 422);
	ASSERT_NOT_NULL(strstr(body, "invalid file name"));
	free(body);
	ASSERT_EQ(post(f, "text/plain", "hello", 5, &body), 422);
	ASSERT_NOT_NULL(strstr(body, "isn't multipart/form-data"));
	free(body);
	/* Cut before the closing boundary. */
	ASSERT_EQ(post(f, "multipart/form-data; boundary=BB", "--BB\r\n"
	    "Content-Disposition: form-data; name=\"file\"; filename=\"c\""
	    "\r\n\r\npartial", 65, &body), 422);
	ASSERT_NOT_NULL(strstr(body, "unexpected end of body"));
	free(body);
	/* Nothing stored, no temporary file left. */
	ASSERT_EQ(count_entries(f->dir, &tmp), 0);
}

TEST(upload_refusals_store_nothing)
{
	struct fix f = { 0 };

	fix_run(&f, c_refuse);
}

/* POSTs one file of size bytes of 'x'; returns the status. */
static int
post_size(struct fix *f, size_t size, char **out)
{
	struct aa_buf b;
	char *data = malloc(size + 1);
	const char *parts[1];
	char *part;
	int st;

	ASSERT_NOT_NULL(data);
	memset(data, 'x', size);
	data[size] = '\0';
	aa_buf_init(&b);
	aa_buf_puts(&b, "file|big.bin|");
	aa_buf_append(&b, data, size);
	part = aa_buf_steal(&b, NULL);
	parts[0] = part;
	st = post_parts(f, parts, 1, out);
	free(part);
	free(data);
	return st;
}

static void
c_size(struct fix *f)
{
	char *body, *path;
	struct stat st;
	int tmp;

	/* Exactly 10 MiB is accepted (upstream's rule). */
	ASSERT_EQ(post_size(f, AA_UPLOAD_FILE_LIMIT, &body), 200);
	path = file_path(f, body);
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_EQ(st.st_size, AA_UPLOAD_FILE_LIMIT);
	ASSERT_EQ(st.st_mode & 0777, 0644);
	free(path);
	free(body);
	/* One byte more: 400, and its bytes are not kept. */
	ASSERT_EQ(post_size(f, AA_UPLOAD_FILE_LIMIT + 1, &body), 400);
	ASSERT_NOT_NULL(strstr(body, "file size exceeds 10MB limit"));
	free(body);
	ASSERT_EQ(count_entries(f->dir, &tmp), 1);
	ASSERT_EQ(tmp, 0);
}

TEST(upload_ten_mib_limit)
{
	struct fix f = { 0 };

	fix_run(&f, c_size);
}

/* Waits (5 s at most) until the upload dir holds n entries, tmp of them
 * temporary files, woken by the loop's watch on the directory. */
static void
wait_entries(struct fix *f, int n, int tmp)
{
	struct pollfd pfd = { .fd = f->changed[0], .events = POLLIN };
	char c;
	int t;

	while (count_entries(f->dir, &t) != n || t != tmp) {
		ASSERT_EQ(poll(&pfd, 1, 5000), 1);
		while (read(f->changed[0], &c, 1) == 1)
			;
	}
}

static void
c_abandon(struct fix *f)
{
	static const char head[] = "POST /upload HTTP/1.1\r\nHost: localhost"
	    "\r\nContent-Type: multipart/form-data; boundary=BB\r\n"
	    "Content-Length: 100000\r\n\r\n--BB\r\nContent-Disposition: "
	    "form-data; name=\"file\"; filename=\"gone\"\r\n\r\nsome bytes";
	int fd = cli_open(f->port);

	cli_send(fd, head, sizeof(head) - 1);
	/* The temporary file appears while the body streams in... */
	wait_entries(f, 1, 1);
	close(fd);
	/* ...and goes when the client does. */
	wait_entries(f, 0, 0);
}

TEST(upload_abandoned_leaves_no_temporary_file)
{
	struct fix f = { 0 };

	fix_run(&f, c_abandon);
}

TEST(upload_dir_create_and_remove)
{
	char dir[4096], parent[] = "/tmp/aa-upload-test-XXXXXX", sub[4200];
	char *cause = NULL;
	struct stat st;
	FILE *fp;

	ASSERT_NOT_NULL(mkdtemp(parent));
	ASSERT_EQ(aa_upload_dir_create(dir, sizeof(dir), parent, &cause), 0);
	ASSERT_NULL(cause);
	ASSERT_EQ(strncmp(dir, parent, strlen(parent)), 0);
	ASSERT_NOT_NULL(strstr(dir, "/agentapi-uploads-"));
	ASSERT_EQ(stat(dir, &st), 0);
	ASSERT_EQ(st.st_mode & 0777, 0700); /* mkdtemp: the owner's only */
	snprintf(sub, sizeof(sub), "%s/0123456789abcdef", dir);
	ASSERT_EQ(mkdir(sub, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/0123456789abcdef/f.txt", dir);
	ASSERT_NOT_NULL(fp = fopen(sub, "w"));
	fclose(fp);
	aa_upload_dir_remove(dir);
	ASSERT_NE(access(dir, F_OK), 0);
	/* A parent that does not exist: the reason, and dir is "". */
	snprintf(sub, sizeof(sub), "%s/missing", parent);
	ASSERT_NE(aa_upload_dir_create(dir, sizeof(dir), sub, &cause), 0);
	ASSERT_STR_EQ(dir, "");
	ASSERT_NOT_NULL(cause);
	ASSERT_NOT_NULL(strstr(cause, "failed to create upload directory: "));
	free(cause);
	ASSERT_EQ(rmdir(parent), 0);
}
