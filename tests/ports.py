"""Free TCP ports on 127.0.0.1 for servers a test starts itself."""

from __future__ import annotations

import socket

CLUSTER_BUS_OFFSET = 10_000  # a Redis Cluster node also listens on its port + 10000 (the cluster bus)


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(*, cluster: bool = False) -> int:
    """A port nothing listens on now. `cluster`: one a Redis Cluster node accepts — at most
    65535 - 10000, with its cluster-bus port free too (Redis refuses a port above 55535: "Cluster
    communication port is 10,000 port numbers higher"; the OS hands out ports up to 60999)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if not cluster:
            return port
        if port + CLUSTER_BUS_OFFSET <= 65535 and _bindable(port + CLUSTER_BUS_OFFSET):
            return port
    raise RuntimeError("no free port pair for a Redis Cluster node")
