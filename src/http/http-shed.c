/*
 * http-shed.c - the slow-client policy of aa_http, as plain arithmetic.
 *
 * Slow clients cannot pin descriptors (issue 17).  Which connection makes
 * room when the server is full, how many connections the descriptor limit
 * allows, and when a head or a body has taken too long are decided here,
 * over numbers and a few flags, with no loop and no socket: http.c fills
 * in a struct aa_http_shed, reads the clock and acts on the answer, and
 * the tests call these directly.
 */
#include <limits.h>
#include <stdint.h>

#include "http/http-private.h"

/*
 * Returns how much a connection may be closed to make room: 0 never
 * (a stream, or a request the handler is answering), else a rank where
 * lower goes first: 1 lingering or idle between requests, 2 a head still
 * coming in (or none yet: a new connection is the youngest of its rank,
 * so it is not shed before its request could arrive), 3 a body coming
 * in.
 */
int
aa__http_shed_rank(const struct aa_http_shed *sh)
{
	if (sh->closing)
		return 0;
	if (sh->lingering)
		return 1;
	if (!sh->active)
		return sh->served && !sh->in_head && !sh->has_input ? 1 : 2;
	if (!sh->msg_done && !sh->started && !sh->in_handler)
		return 3;
	return 0;
}

/* The oldest connection of the lowest rank goes; rank 1 is the lowest,
 * and the list is oldest first, so the first rank 1 ends the search. */
int
aa__http_shed_consider(int *best, int rank)
{
	if (rank == 0 || rank >= *best)
		return 0;
	*best = rank;
	return rank == 1 ? 2 : 1;
}

/*
 * Caps the connections below the descriptor limit, keeping a reserve for
 * everything else the process opens (the agent's PTY, state and upload
 * files, new connections that shed old ones): an eighth of the limit,
 * at least 32 and at most 1024.  *high is where an accepted descriptor
 * says the table is nearly full: the top half of the reserve.
 */
size_t
aa__http_fd_cap(size_t max_conns, size_t nofile, int *high)
{
	size_t lim, reserve;

	*high = INT_MAX;
	if (nofile == SIZE_MAX)
		return max_conns;
	lim = nofile;
	reserve = lim / 8 < 32 ? 32 : lim / 8 > 1024 ? 1024 : lim / 8;
	if (lim < INT_MAX)
		*high = (int)(lim - reserve / 2);
	if (lim <= 2 * reserve)
		lim = lim / 2 > 0 ? lim / 2 : 1;
	else
		lim -= reserve;
	return lim < max_conns ? lim : max_conns;
}

/* A head has one deadline from its first byte, not a timeout that each
 * byte restarts; once it has passed, 1 ms (the timer fires at once). */
uint64_t
aa__http_head_ms(uint64_t now, uint64_t t0, unsigned timeout_ms)
{
	return now - t0 >= timeout_ms ? 1 : timeout_ms - (now - t0);
}

/* A body may take long, but it may neither stall for timeout_ms nor,
 * after the first timeout_ms, arrive slower than AA_HTTP_MIN_BODY_RATE
 * on average (Kestrel's minimum data rate). */
uint64_t
aa__http_body_ms(uint64_t now, uint64_t t0, unsigned timeout_ms,
    uint64_t seen)
{
	uint64_t ms = timeout_ms + seen * 1000 / AA_HTTP_MIN_BODY_RATE;

	ms = now - t0 >= ms ? 1 : ms - (now - t0);
	return ms < timeout_ms ? ms : timeout_ms;
}
