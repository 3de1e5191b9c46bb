/* SPDX-License-Identifier: GPL-2.0-or-later */
/* queue: a bounded blocking FIFO of pointers between threads. Bounded so
 * that memory stays flat however large the input: producers wait when it
 * is full. */
#ifndef MEDSEARCH_QUEUE_H
#define MEDSEARCH_QUEUE_H

#include <pthread.h>
#include <stddef.h>

struct queue {
    void **items;
    size_t cap, head, len;
    int closed;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
};

int queue_init(struct queue *q, size_t cap);
void queue_destroy(struct queue *q);
/* Blocks while full. Returns 0, or -1 when the queue is closed (item not
 * taken). */
int queue_push(struct queue *q, void *item);
/* Blocks while empty. Returns the item, or NULL when closed and drained. */
void *queue_pop(struct queue *q);
/* No more pushes; poppers drain what is left then get NULL. */
void queue_close(struct queue *q);

#endif
