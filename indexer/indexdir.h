/* SPDX-License-Identifier: GPL-2.0-or-later */
/* indexdir: the on-disk layout of one index, built for atomic swaps.
 *
 *   DIR/XAPIANDB    Xapian stub file: one line "glass idx-N" (relative)
 *   DIR/idx-N/      the live glass database
 *   DIR/idx-M/      a rebuild in progress (M > N), invisible to readers
 *   DIR/side-K/     one more writer's share of a first build or rebuild
 *                   (merged into the next generation, never live)
 *
 * Readers open DIR (Xapian follows the stub). A rebuild writes idx-M,
 * then indexdir_swap() writes a new stub and rename()s it over XAPIANDB:
 * one atomic step, so a reader sees either the old or the new index. A
 * reader notices the swap by the stub's inode (searchd stats it). A plain
 * glass directory given as DIR is used as is (no swap possible).
 */
#ifndef MEDSEARCH_INDEXDIR_H
#define MEDSEARCH_INDEXDIR_H

#include <stddef.h>

#define INDEXDIR_STUB "XAPIANDB"

/* Path of the live glass database of DIR into buf. When DIR does not
 * exist and create is set, creates DIR and the stub for DIR/idx-1 (the
 * database itself is created by whoever opens it writable). Returns 0, or
 * -1 with a reason in err. */
int indexdir_live(const char *dir, int create, char *buf, size_t cap, char *err, size_t errcap);
/* A fresh generation directory name for a rebuild (DIR/idx-M, M above
 * every existing generation; stale unfinished ones, and side-K leftovers,
 * are removed first). */
int indexdir_next(const char *dir, char *buf, size_t cap, char *err, size_t errcap);
/* Point the stub at `gen` (a path returned by indexdir_next) atomically
 * (write DIR/XAPIANDB.tmp, fsync, rename, fsync DIR), then remove the
 * previous generation (readers holding it open keep their open files). */
int indexdir_swap(const char *dir, const char *gen, char *err, size_t errcap);
/* Remove a directory tree (a failed rebuild). */
int indexdir_remove(const char *path);
/* The path of side writer k's database (DIR/side-K) into buf. */
void indexdir_side(const char *dir, unsigned k, char *buf, size_t cap);

#endif
