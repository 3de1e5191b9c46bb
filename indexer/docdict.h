/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docdict: learn the preset zlib dictionary of the stored records from
 * the first records of a run (see docdict.c), and keep it in the index. */
#ifndef MEDSEARCH_DOCDICT_H
#define MEDSEARCH_DOCDICT_H

/* Start (1) or stop (0) learning: records fed from now on are sampled
 * until the dictionary is built. */
void docdict_learn(int on);
/* A record's uncompressed JSON (docrec_encode_json); cheap when not learning. */
void docdict_feed(const char *json);
/* Is a dictionary still being learnt? */
int docdict_learning(void);
/* Forget the sample (end of a run). */
void docdict_reset(void);

#endif
