/*
 * test-http-mount.c - what aa_http gives the host (src/host): a mounted
 * prefix (AA_HTTP_MOUNT: the table picked per request, the path stripped,
 * flags_off applied before the access checks), the unix socket listener
 * (mode 0600, no token for a peer of our uid, a peer of another uid closed
 * by SO_PEERCRED) and aa_http_server_drop.
 *
 * The server runs on the loop in this process; the client is a forked
 * child with blocking sockets, which checks every answer and exits with
 * the line of the first wrong one (0: all right).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <uv.h>

#include "base/aa-internal.h"
#include "http/access.h"
#include "http/http.h"
#include "test.h"

static struct {
	uv_loop_t loop;
	struct aa_http_server *srv;
	struct aa_access *acc;
	uv_timer_t poll, drop_timer;
	pid_t child;
	int status;
	int hang_closed;  /* the abandoned request's on_close ran */
	int drop_done;    /* ...and then the drop's callback */
	int drop_order_ok;
	char dir[32], sock[64];
	int table_data;   /* the mounted table's data: its address */
} t;

/* Answers the path the handler sees (after the mount's strip). */
static void
h_echo(struct aa_http_req *req, void *data)
{
	const char *p = aa_http_req_path(req);

	if (data != &t.table_data) {
		aa_http_reply(req, 500, "text/plain", "bad data", 8);
		return;
	}
	aa_http_reply(req, 200, "text/plain", p, strlen(p));
}

static void
h_plain(struct aa_http_req *req, void *data)
{
	(void)data;
	aa_http_reply(req, 200, "text/plain", "plain", 5);
}

static void
hang_closed(struct aa_http_req *req, void *arg)
{
	(void)req;
	(void)arg;
	t.hang_closed = 1;
}

static void
drop_done(void *ud)
{
	(void)ud;
	t.drop_order_ok = t.hang_closed;
	t.drop_done = 1;
}

static void
drop_tick(uv_timer_t *h)
{
	(void)h;
	aa_http_server_drop(t.srv, &t.table_data, drop_done, NULL);
}

/* Never answers: the drop must close it. */
static void
h_hang(struct aa_http_req *req, void *data)
{
	(void)data;
	aa_http_req_on_close(req, hang_closed, NULL);
	uv_timer_start(&t.drop_timer, drop_tick, 10, 0);
}

static const struct aa_http_route mounted[] = {
	{ "GET", "/", h_echo, 0, 0 },
	{ "GET", "/x", h_echo, 0, 0 },
	{ "GET", "/pub", h_echo, 0, AA_HTTP_PUBLIC },
	{ "GET", "/ev", h_echo, 0, AA_HTTP_QUERY_TOKEN },
	{ "GET", "/hang", h_hang, 0, 0 },
};

static const struct aa_http_route routes[] = {
	{ "GET", "/plain", h_plain, 0, AA_HTTP_PUBLIC },
	{ "*", "/m/", NULL, 0, AA_HTTP_PREFIX | AA_HTTP_MOUNT },
};

static int
mount(struct aa_http_req *req, void *data, struct aa_http_mount *m)
{
	const char *p = aa_http_req_path(req) + 3;
	size_t n = strcspn(p, "/");

	(void)data;
	if (n != 1 || p[0] != 'a')
		return 404;
	m->routes = mounted;
	m->nroutes = AA__ARRAY_SIZE(mounted);
	m->data = &t.table_data;
	m->strip = 3 + n;
	m->flags_off = AA_HTTP_PUBLIC;
	return 0;
}

/* ---- the client (child) ---- */

static int
connect_unix(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", t.sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return -1;
	return fd;
}

static int
connect_tcp(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
		.sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return -1;
	return fd;
}

/* Sends one request (Connection: close) and reads the whole answer into
 * buf; returns its length, -1 when the connection failed. */
static ssize_t
ask(int fd, const char *path, const char *extra, char *buf, size_t size)
{
	char req[512];
	size_t got = 0;
	ssize_t n;
	int len;

	if (fd < 0)
		return -1;
	len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: "
	    "localhost\r\nConnection: close\r\n%s\r\n", path, extra);
	if (write(fd, req, (size_t)len) != len) {
		close(fd);
		return -1;
	}
	while (got + 1 < size && (n = read(fd, buf + got, size - 1 - got)) >
	    0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
	return (ssize_t)got;
}

/* The status and the body of an answer. */
static int
answer_is(const char *buf, int status, const char *body)
{
	char st[16];
	const char *b = strstr(buf, "\r\n\r\n");

	snprintf(st, sizeof(st), "HTTP/1.1 %d", status);
	return strncmp(buf, st, strlen(st)) == 0 && (body == NULL ||
	    (b != NULL && strcmp(b + 4, body) == 0));
}

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "client: %s:%d: %s\n[%s]\n",           \
			    __FILE__, __LINE__, #c, buf);                      \
			_exit(__LINE__ % 250 + 1);                             \
		}                                                              \
	} while (0)

static void
client(int port, int as_nobody)
{
	static const char auth[] = "Authorization: Bearer tok\r\n";
	char buf[4096] = "";
	int fd;

	if (as_nobody) {
		/* Another user: the kernel lets it connect (the socket is
		 * 0666 here on purpose); SO_PEERCRED must close it unheard. */
		CHECK(setgid(65534) == 0 && setuid(65534) == 0);
		/* Closed unheard: the write or the read fails, or reads
		 * nothing, depending on who is first. */
		signal(SIGPIPE, SIG_IGN);
		fd = connect_unix();
		CHECK(fd >= 0);
		CHECK(ask(fd, "/plain", "", buf, sizeof(buf)) <= 0);
		_exit(0);
	}
	/* Our uid on the unix socket: no token needed, even mounted. */
	CHECK(ask(connect_unix(), "/m/a/x", "", buf, sizeof(buf)) > 0);
	CHECK(answer_is(buf, 200, "/x"));
	/* TCP: the token everywhere, PUBLIC cleared by the mount. */
	CHECK(ask(connect_tcp(port), "/m/a/x", "", buf, sizeof(buf)) > 0);
	CHECK(answer_is(buf, 401, NULL));
	CHECK(ask(connect_tcp(port), "/m/a/pub", "", buf, sizeof(buf)) > 0);
	CHECK(answer_is(buf, 401, NULL));
	CHECK(ask(connect_tcp(port), "/m/a/x?token=tok", "", buf,
	    sizeof(buf)) > 0);
	CHECK(answer_is(buf, 401, NULL));
	CHECK(ask(connect_tcp(port), "/m/a/ev?token=tok", "", buf,
	    sizeof(buf)) > 0);
	CHECK(answer_is(buf, 200, "/ev"));
	CHECK(ask(connect_tcp(port), "/m/a/x", auth, buf, sizeof(buf)) > 0);
	CHECK(answer_is(buf, 200, "/x"));
	CHECK(ask(connect_tcp(port), "/m/a/pub", auth, buf, sizeof(buf)) > 0);
	CHECK(answer_is(buf, 200, "/pub"));
	/* Nothing left after the strip: the handlers see "/". */
	CHECK(ask(connect_tcp(port), "/m/a", auth, buf, sizeof(buf)) > 0);
	CHECK(answer_is(buf, 200, "/"));
	/* Without the token nothing tells which names exist. */
	CHECK(ask(connect_tcp(port), "/m/b/x", "", buf, sizeof(buf)) > 0);
	CHECK(answer_is(buf, 401, NULL));
	CHECK(ask(connect_tcp(port), "/m/a/nope", "", buf, sizeof(buf)) > 0);
	CHECK(answer_is(buf, 401, NULL));
	/* Unknown mount, unknown route under it. */
	CHECK(ask(connect_tcp(port), "/m/b/x", auth, buf, sizeof(buf)) > 0);
	CHECK(answer_is(buf, 404, NULL));
	CHECK(ask(connect_tcp(port), "/m/a/nope", auth, buf, sizeof(buf)) >
	    0);
	CHECK(answer_is(buf, 404, NULL));
	CHECK(ask(connect_tcp(port), "/m/abc/x", auth, buf, sizeof(buf)) > 0);
	CHECK(answer_is(buf, 404, NULL));
	/* The server's own public route is unchanged. */
	CHECK(ask(connect_tcp(port), "/plain", "", buf, sizeof(buf)) > 0);
	CHECK(answer_is(buf, 200, "plain"));
	/* A request of the mounted table that never answers is closed by
	 * aa_http_server_drop: no answer at all. */
	CHECK(ask(connect_unix(), "/m/a/hang", "", buf, sizeof(buf)) == 0);
	_exit(0);
}

/* ---- the server (parent) ---- */

static void
closed_cb(uv_handle_t *h)
{
	(void)h;
}

static void
poll_cb(uv_timer_t *h)
{
	(void)h;
	if (waitpid(t.child, &t.status, WNOHANG) != t.child)
		return;
	uv_timer_stop(&t.poll);
	uv_close((uv_handle_t *)&t.poll, closed_cb);
	uv_close((uv_handle_t *)&t.drop_timer, closed_cb);
	aa_http_server_close(t.srv, NULL, NULL);
}

static void
run(int as_nobody)
{
	struct aa_access_options ao = { .token = "tok" };
	static const char *const addrs[] = { "127.0.0.1" };
	struct aa_http_options o;
	struct stat st;
	char *cause = NULL;

	memset(&t, 0, sizeof(t));
	snprintf(t.dir, sizeof(t.dir), "/tmp/aa-mount-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(t.dir));
	ASSERT_EQ(chmod(t.dir, 0755), 0);
	snprintf(t.sock, sizeof(t.sock), "%s/s.sock", t.dir);
	ASSERT_EQ(uv_loop_init(&t.loop), 0);
	ASSERT_EQ(aa_access_new(&t.acc, &ao, NULL), 0);
	memset(&o, 0, sizeof(o));
	o.addrs = addrs;
	o.naddrs = 1;
	o.routes = routes;
	o.nroutes = AA__ARRAY_SIZE(routes);
	o.access = t.acc;
	o.mount = mount;
	o.unix_path = t.sock;
	ASSERT_EQ(aa_http_server_new(&t.srv, &t.loop, &o, &cause), 0);
	ASSERT_EQ(stat(t.sock, &st), 0);
	ASSERT_EQ(st.st_mode & 0777, 0600);
	if (as_nobody)
		ASSERT_EQ(chmod(t.sock, 0666), 0);
	uv_timer_init(&t.loop, &t.poll);
	uv_timer_init(&t.loop, &t.drop_timer);
	fflush(NULL);
	if ((t.child = fork()) == 0)
		client(aa_http_server_port(t.srv), as_nobody);
	ASSERT_GT(t.child, 0);
	uv_timer_start(&t.poll, poll_cb, 5, 5);
	uv_run(&t.loop, UV_RUN_DEFAULT);
	ASSERT_EQ(uv_loop_close(&t.loop), 0);
	aa_access_free(t.acc);
	unlink(t.sock);
	rmdir(t.dir);
	ASSERT(WIFEXITED(t.status));
	ASSERT_EQ(WEXITSTATUS(t.status), 0);
}

TEST(mount_unix_token_drop)
{
	run(0);
	ASSERT_EQ(t.hang_closed, 1);
	ASSERT_EQ(t.drop_done, 1);
	ASSERT_EQ(t.drop_order_ok, 1);
}

TEST(unix_peer_of_another_uid_is_refused)
{
	if (geteuid() != 0)
		test_skip("needs root to run a client as nobody");
	run(1);
}
