/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics: request counters and latency histograms per endpoint, lock-free
 * (relaxed atomics), and GET /metrics in Prometheus text format. */
#ifndef MEDSEARCH_METRICS_H
#define MEDSEARCH_METRICS_H

struct server_req;

/* Count one reply: route = index in server_routes (-1: no route, counted
 * as endpoint "other"), its HTTP status and the seconds it took. */
void metrics_observe(int route, unsigned status, double seconds);

/* GET /metrics */
void metrics_handle(struct server_req *req);

#endif
