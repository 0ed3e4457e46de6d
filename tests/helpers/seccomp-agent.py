#!/usr/bin/env python3
"""A seccomp agent for the tests (runtime-spec config-linux.md, listenerPath).

seccomp-agent.py SOCKET STATEFILE [NAME=ANSWER ...]

Listens on the unix socket SOCKET, takes one connection: the container
process state (JSON) and the seccomp notify fd (SCM_RIGHTS).  Writes the
state to STATEFILE (with "nfds": how many fds came), then answers every
notification: ANSWER is an errno number (the call fails with it) or
"continue" (SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel runs the call).
NAME is a syscall number.  Each answer is appended to STATEFILE.log as
"NR ANSWER".  Exits once no process is left on the filter.
"""
import array
import fcntl
import json
import os
import select
import socket
import struct
import sys

NOTIF_RECV = 0xC0502100  # _IOWR('!', 0, struct seccomp_notif), 80 bytes
NOTIF_SEND = 0xC0182101  # _IOWR('!', 1, struct seccomp_notif_resp), 24 bytes
FLAG_CONTINUE = 1


def main():
    path, statefile = sys.argv[1], sys.argv[2]
    answers = {}
    for a in sys.argv[3:]:
        nr, ans = a.split("=")
        answers[int(nr)] = ans
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    open(statefile + ".ready", "w").close()
    conn, _ = srv.accept()
    data, fds = b"", []
    while True:
        msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(16 * 4))
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                a = array.array("i")
                a.frombytes(payload[: len(payload) - len(payload) % 4])
                fds.extend(a)
        if not msg:
            break
        data += msg
    conn.close()
    state = json.loads(data)
    state["nfds"] = len(fds)
    with open(statefile + ".tmp", "w") as f:
        json.dump(state, f)
    os.rename(statefile + ".tmp", statefile)
    if len(fds) != 1:
        return 1
    lfd = fds[0]
    log = open(statefile + ".log", "a", buffering=1)
    poller = select.poll()
    poller.register(lfd, select.POLLIN)
    while True:
        events = poller.poll(20000)
        if not events or events[0][1] & (select.POLLHUP | select.POLLERR):
            return 0
        buf = bytearray(80)
        try:
            fcntl.ioctl(lfd, NOTIF_RECV, buf)
        except OSError:
            continue  # the caller died meanwhile
        nid, _pid, _flags, nr = struct.unpack_from("=QIIi", buf)
        ans = answers.get(nr, "continue")
        if ans == "continue":
            resp = struct.pack("=QqiI", nid, 0, 0, FLAG_CONTINUE)
        else:
            resp = struct.pack("=QqiI", nid, 0, -int(ans), 0)
        try:
            fcntl.ioctl(lfd, NOTIF_SEND, bytearray(resp))
        except OSError:
            pass
        log.write("%d %s\n" % (nr, ans))


sys.exit(main())
