/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mmapread: searchd reads its index's blocks from memory maps instead of
 * one pread(2) system call per block.
 *
 * Xapian 1.4 reads every 8 KB block of a table with pread into a buffer of
 * its own, and has no other way to read. A MedQuAD search makes about 300
 * such reads, one at 500,000 articles about 3,000: their system calls were
 * a third of searchd's CPU time. This file defines open, close and pread
 * for searchd (the executable's definitions come before libc's for every
 * library, libxapian included). While enabled ([searchd] mmap_reads), a
 * Xapian table (a *.glass file) opened read-only is also mapped, and a
 * pread inside the mapping is a memcpy from it: the same bytes, from the
 * same page cache, without entering the kernel. Lucene reads its index
 * through maps the same way (MMapDirectory).
 *
 * Whatever the maps cannot serve goes to the real pread, with its own
 * result and errno:
 *   - a block past the mapped length (the file grew since it was mapped):
 *     the file is mapped again at its new size when it has grown by an
 *     eighth (the old map stays until close, since another read may still
 *     be copying from it), until then each such read is a system call;
 *   - a file cut shorter while mapped (never by Xapian; by hand, or a disk
 *     error): reading a page past its end raises SIGBUS, which is caught
 *     during the copy and turned into the real pread's answer, never a
 *     crash.
 * Anything else (other files, writes, descriptors >= 65536, mmap_reads
 * off) passes straight through. Descriptors are closed through close, so a
 * map never outlives its descriptor.
 *
 * Every program that links libsearchd gets these definitions; they pass
 * through until mmapread_enable(1), which only searchd's main calls.
 */
#ifndef MEDSEARCH_MMAPREAD_H
#define MEDSEARCH_MMAPREAD_H

/* Map table files opened from now on (1) or not (0). 0 on success, -1
 * (logged) when the SIGBUS guard cannot be installed (then nothing is
 * mapped). */
int mmapread_enable(int on);

/* For /metrics: files mapped now, and reads that went to the kernel since
 * start (past a map, a failed copy, or not mapped). */
void mmapread_counts(unsigned long long *maps, unsigned long long *syscalls);

#endif
