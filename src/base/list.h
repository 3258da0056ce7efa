/*
 * list.h - an intrusive circular doubly linked list (after libuv's
 * uv__queue).  A list head is an aa_list whose next/prev point to itself
 * when empty; elements embed an aa_list and are recovered with
 * AA_LIST_ENTRY.  The _SAFE iteration allows removing the current node.
 */
#ifndef AA_LIST_H
#define AA_LIST_H

#include <stddef.h>

struct aa_list {
	struct aa_list *next;
	struct aa_list *prev;
};

#define AA_LIST_ENTRY(ptr, type, field)                                        \
	((type *)((char *)(ptr)-offsetof(type, field)))

#define AA_LIST_FOREACH(it, head)                                              \
	for ((it) = (head)->next; (it) != (head); (it) = (it)->next)

#define AA_LIST_FOREACH_SAFE(it, tmp, head)                                    \
	for ((it) = (head)->next, (tmp) = (it)->next; (it) != (head);          \
	     (it) = (tmp), (tmp) = (it)->next)

/* Makes h an empty list (or an unlinked node). */
static inline void
aa_list_init(struct aa_list *h)
{
	h->next = h;
	h->prev = h;
}

/* Returns non-zero when the list is empty (or the node unlinked). */
static inline int
aa_list_empty(const struct aa_list *h)
{
	return h->next == h;
}

/* Links n at the tail of h. */
static inline void
aa_list_insert_tail(struct aa_list *h, struct aa_list *n)
{
	n->next = h;
	n->prev = h->prev;
	h->prev->next = n;
	h->prev = n;
}

/* Links n at the head of h. */
static inline void
aa_list_insert_head(struct aa_list *h, struct aa_list *n)
{
	n->next = h->next;
	n->prev = h;
	h->next->prev = n;
	h->next = n;
}

/* Unlinks n and leaves it as an empty node. */
static inline void
aa_list_remove(struct aa_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	aa_list_init(n);
}

#endif /* AA_LIST_H */
