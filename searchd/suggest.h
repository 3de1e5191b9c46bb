/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suggest: GET /suggest?q=&limit=, completions for a search box, asked on
 * every keystroke, so bounded work: a few prefix scans of the index's term
 * lists, each stopped after a fixed number of terms.
 *
 * Sources, all from the index itself: disease and topic names (the synonym
 * table's keys), 2-3 word title and heading phrases (XP terms), the words
 * of the articles, and article titles. Ranked by usefulness: how many
 * articles have it, disease and topic names first.
 */
#ifndef MEDSEARCH_SUGGEST_H
#define MEDSEARCH_SUGGEST_H

struct server_req;

/* GET /suggest */
void suggest_handle(struct server_req *req);

#endif
