/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics: request counters, latency histograms and Xapian work
 * histograms per endpoint, lock-free (relaxed atomics), and GET /metrics
 * in Prometheus text format. */
#ifndef MEDSEARCH_METRICS_H
#define MEDSEARCH_METRICS_H

struct server_req;

/* Count one reply: route = index in server_routes (-1: no route, counted
 * as endpoint "other"), its HTTP status and the seconds it took. */
void metrics_observe(int route, unsigned status, double seconds);

/* Count the Xapian work one reply took (xap.h's counters of the serving
 * thread since the request began): per endpoint histograms of match
 * passes, expand sets, termlists, stored documents and posting lists. */
struct xap_work;
void metrics_observe_work(int route, const struct xap_work *w);

/* GET /metrics */
void metrics_handle(struct server_req *req);

#endif
