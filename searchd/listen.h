/* SPDX-License-Identifier: GPL-2.0-or-later */
/* listen: the listening sockets of searchd, made with care.
 *
 * UNIX socket: the path must fit sun_path; an existing path is replaced
 * only when it is a socket nobody answers on (a stale one); anything else
 * there is refused and left alone. The socket is bound under umask 0777,
 * given its group and mode, and only then listens, so no client can ever
 * connect through a looser mode. TCP: loopback only unless allowed.
 * systemd socket activation: the descriptors passed from fd 3.
 *
 * Every function logs why it failed and returns -1; start-up then stops.
 */
#ifndef MEDSEARCH_LISTEN_H
#define MEDSEARCH_LISTEN_H

#include <stdbool.h>
#include <stddef.h>

/* Create, bind and listen on a UNIX socket at path with the given mode and
 * group name ("" or NULL: leave the group). Returns the descriptor. */
int listen_unix(const char *path, int mode, const char *group);

/* Remove the socket file made by listen_unix, if it is still ours (the
 * same inode). Safe to call when none was made. */
void listen_unix_cleanup(void);
/* In a process that must not remove the socket (the unprivileged child of
 * a root parent that does it): forget the path. */
void listen_unix_forget(void);

/* "HOST:PORT" or "[V6]:PORT" (HOST may be a name); refused when the
 * address is not loopback unless allow_remote. Returns the descriptor. */
int listen_tcp(const char *addr, bool allow_remote);

/* Descriptors passed by systemd (LISTEN_PID/LISTEN_FDS, from fd 3) into
 * fds[0..max); returns how many (0 when not socket-activated), or -1 when
 * one is not a listening stream socket. The variables are then unset. */
int listen_systemd(int *fds, size_t max);

#endif
