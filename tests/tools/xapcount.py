#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xapcount: a counting TCP proxy for Xapian's remote protocol (1.4).

    xapcount.py LISTEN_PORT TARGET_HOST:TARGET_PORT STATS_FILE

Sits between searchd and one xapian-tcpsrv and counts what crosses it:
round trips (a client burst answered by the server), messages by type
(client -> server, parsed from the framing: a type byte, then a length),
and bytes each way. SIGUSR1 writes the counters as JSON to STATS_FILE
(atomically); SIGUSR2 resets them. Used by tests/e2e/scaleout.sh and
bench/scaleout.sh to show how many round trips a request costs a shard.
"""
import json
import os
import select
import signal
import socket
import sys

# Client -> server message types of remote protocol 39 (Xapian 1.4).
MSG = ["ALLTERMS", "COLLFREQ", "DOCUMENT", "TERMEXISTS", "TERMFREQ", "VALUESTATS",
       "KEEPALIVE", "DOCLENGTH", "QUERY", "TERMLIST", "POSITIONLIST", "POSTLIST",
       "REOPEN", "UPDATE", "ADDDOCUMENT", "CANCEL", "DELETEDOCUMENTTERM", "COMMIT",
       "REPLACEDOCUMENT", "REPLACEDOCUMENTTERM", "DELETEDOCUMENT", "WRITEACCESS",
       "GETMETADATA", "SETMETADATA", "ADDSPELLING", "REMOVESPELLING", "GETMSET",
       "SHUTDOWN", "METADATAKEYLIST", "FREQS", "UNIQUETERMS", "POSITIONLISTCOUNT"]


def zero():
    return {"round_trips": 0, "messages": 0, "bytes_out": 0, "bytes_in": 0,
            "connections": 0, "by_type": {}}


stats = zero()


class Conn:
    def __init__(self, client, server):
        self.client, self.server = client, server
        self.buf = b""          # unparsed client bytes
        self.server_spoke = True  # the next client bytes open a round trip

    def parse(self):
        """Count whole client messages in self.buf: type, length, payload."""
        while len(self.buf) >= 2:
            t, n, i = self.buf[0], self.buf[1], 2
            if n == 255:
                n, shift = 0, 0
                while True:
                    if i >= len(self.buf):
                        return
                    b = self.buf[i]
                    i += 1
                    n |= (b & 0x7F) << shift
                    shift += 7
                    if b & 0x80:
                        break
                n += 255
            if len(self.buf) < i + n:
                return
            self.buf = self.buf[i + n:]
            name = MSG[t] if t < len(MSG) else str(t)
            stats["messages"] += 1
            stats["by_type"][name] = stats["by_type"].get(name, 0) + 1


def dump(_sig, _frm):
    tmp = sys.argv[3] + ".tmp"
    with open(tmp, "w") as f:
        json.dump(stats, f)
    os.rename(tmp, sys.argv[3])


def reset(_sig, _frm):
    global stats
    stats = zero()


def main():
    port = int(sys.argv[1])
    host, tport = sys.argv[2].rsplit(":", 1)
    signal.signal(signal.SIGUSR1, dump)
    signal.signal(signal.SIGUSR2, reset)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(64)
    conns = {}
    while True:
        r, _, _ = select.select([ls] + list(conns), [], [])
        for s in r:
            if s is ls:
                c, _ = ls.accept()
                try:
                    t = socket.create_connection((host, int(tport)), timeout=5)
                except OSError:
                    c.close()
                    continue
                t.settimeout(None)
                for x in (c, t):
                    x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                k = Conn(c, t)
                conns[c] = conns[t] = k
                stats["connections"] += 1
                continue
            k = conns.get(s)
            if k is None:
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                for x in (k.client, k.server):
                    conns.pop(x, None)
                    x.close()
                continue
            if s is k.client:
                if k.server_spoke:
                    stats["round_trips"] += 1
                    k.server_spoke = False
                stats["bytes_out"] += len(data)
                k.buf += data
                k.parse()
                k.server.sendall(data)
            else:
                k.server_spoke = True
                stats["bytes_in"] += len(data)
                k.client.sendall(data)


if __name__ == "__main__":
    main()
