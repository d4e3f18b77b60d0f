/*
 * Intrusive doubly linked circular lists of threads.
 *
 * Both the ready queues and the IPC wait queues thread their members through links
 * embedded in the TCB, so queueing never allocates and removal from the middle (a
 * waiter whose partner or itself is killed) is O(1).
 */
#ifndef IPCLAB_CORE_LIST_H
#define IPCLAB_CORE_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct link {
    struct link *next;
    struct link *prev;
};

static inline void list_init(struct link *head)
{
    head->next = head;
    head->prev = head;
}

static inline bool list_empty(const struct link *head)
{
    return head->next == head;
}

static inline void list_add_tail(struct link *head, struct link *node)
{
    node->prev = head->prev;
    node->next = head;
    head->prev->next = node;
    head->prev = node;
}

static inline void list_remove(struct link *node)
{
    node->prev->next = node->next;
    node->next->prev = node->prev;
    node->next = node;
    node->prev = node;
}

/* Whether node is linked into the list at head (a walk: invariant checks only). */
static inline bool list_contains(const struct link *head, const struct link *node)
{
    for (const struct link *l = head->next; l != head; l = l->next)
        if (l == node)
            return true;
    return false;
}

#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

#endif
