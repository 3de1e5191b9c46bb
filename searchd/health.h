/* SPDX-License-Identifier: GPL-2.0-or-later */
/* health: GET /health, for load balancers and start-up scripts: 200 with
 * the index's size once the index can be searched, else 503. */
#ifndef MEDSEARCH_HEALTH_H
#define MEDSEARCH_HEALTH_H

struct server_req;

void health_handle(struct server_req *req);

#endif
