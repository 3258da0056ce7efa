/*
 * loop.h - waiting on a libuv loop in tests: run it until a predicate
 * holds or a deadline passes.
 *
 * A test that drives a loop never sleeps: it runs one loop iteration at a
 * time (UV_RUN_ONCE, which blocks until something happens) and checks its
 * predicate after each.  The deadline is a timer on the same loop, so a
 * test that waits for something that never comes wakes up and fails
 * instead of hanging until the runner's alarm.  Embed a struct test_loop
 * next to the loop, test_loop_init() it, and test_loop_close() it before
 * the final uv_run() and uv_loop_close().
 */
#ifndef AA_TEST_LOOP_H
#define AA_TEST_LOOP_H

#include <uv.h>

/* A predicate over the test's own state. */
typedef int (*test_loop_pred)(void *ud);

struct test_loop {
	uv_loop_t *loop;
	uv_timer_t deadline;
	int timed_out;	/* the last wait's deadline passed */
};

/* Marks the wait as timed out; uv_run then returns to the waiter. */
static inline void
test_loop_deadline_cb(uv_timer_t *t)
{
	((struct test_loop *)t->data)->timed_out = 1;
}

/* Sets up the deadline timer on loop. */
static inline void
test_loop_init(struct test_loop *w, uv_loop_t *loop)
{
	w->loop = loop;
	w->timed_out = 0;
	uv_timer_init(loop, &w->deadline);
	w->deadline.data = w;
}

/* Starts the deadline ms from now (uv_run returns once it passed). */
static inline void
test_loop_arm(struct test_loop *w, unsigned ms)
{
	w->timed_out = 0;
	uv_update_time(w->loop);
	uv_timer_start(&w->deadline, test_loop_deadline_cb, ms, 0);
}

/*
 * Runs the loop until pred(ud) holds or ms pass; returns pred's last
 * value (so 0 means the deadline passed first).
 */
static inline int
test_loop_until(struct test_loop *w, test_loop_pred pred, void *ud,
    unsigned ms)
{
	int ok;

	test_loop_arm(w, ms);
	while (!(ok = pred(ud)) && !w->timed_out)
		uv_run(w->loop, UV_RUN_ONCE);
	uv_timer_stop(&w->deadline);
	return ok;
}

/* Runs the loop until ms pass; returns the number of loop iterations
 * (each one a wakeup: the deadline's own is one of them). */
static inline unsigned
test_loop_for(struct test_loop *w, unsigned ms)
{
	unsigned n = 0;

	test_loop_arm(w, ms);
	while (!w->timed_out) {
		uv_run(w->loop, UV_RUN_ONCE);
		n++;
	}
	return n;
}

/* Closes the deadline timer; the caller's next uv_run finishes it. */
static inline void
test_loop_close(struct test_loop *w)
{
	uv_close((uv_handle_t *)&w->deadline, NULL);
}

#endif /* AA_TEST_LOOP_H */
