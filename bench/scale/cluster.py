"""A videobot deployment in local processes, for the scale test and the scale benchmark.

    cluster = Cluster(root, redis_url)
    url = cluster.start_studio()                 # `videobot studio` (RENDER_WORKERS=0) on a free port
    w = cluster.start_worker()                   # `videobot studio-worker`
    b = cluster.start_bot(users, photo, log)     # bench.scale.driver: the Engine for those users
    ...
    cluster.stop()

Every process is a real subprocess with a clean environment (only the settings given here), all
sharing one Redis and one data dir, as containers of docker-compose.yml share Redis and the media
volume. Output goes to `<root>/logs/<name>.log`.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYENV_VERSION")


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig: signal.Signals) -> None:
        if self.alive():
            os.kill(self.pid, sig)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Cluster:
    root: Path
    redis_url: str
    settings: dict[str, str] = field(default_factory=dict)
    procs: list[Proc] = field(default_factory=list)
    studio_url: str = ""

    def __post_init__(self) -> None:
        self.data_dir = self.root / "data"
        self.logs = self.root / "logs"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k in _KEEP}
        env |= {"PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", "REDIS_URL": self.redis_url,
                "VIDEOBOT_DATA_DIR": str(self.data_dir), "VIDEOBOT_LOG_LEVEL": "INFO"}
        return env | self.settings | extra

    def spawn(self, name: str, args: list[str], **extra: str) -> Proc:
        log = self.logs / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen([sys.executable, *args], cwd=self.root, env=self.env(**extra),
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def start_studio(self, timeout: float = 60.0, **extra: str) -> str:
        proc = self.spawn("studio", ["-m", "app.cli", "studio", "--host", "127.0.0.1", "--port", "0"],
                          VIDEOBOT_STUDIO_RENDER_WORKERS="0", **extra)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(r"studio listening on (http://\S+)", proc.output())
            if found:
                self.studio_url = found.group(1)
                return self.studio_url
            if not proc.alive():
                break
            time.sleep(0.1)
        raise RuntimeError(f"the studio did not start:\n{proc.output()[-3000:]}")

    def start_worker(self, name: str | None = None, *args: str) -> Proc:
        name = name or f"worker{sum(p.name.startswith('worker') for p in self.procs) + 1}"
        return self.spawn(name, ["-m", "app.cli", "studio-worker", *args])

    def start_bot(self, users: list[str], photo: Path, log: Path, *, name: str | None = None,
                  prompt: str = "Make a 5 second square video", linger: bool = True,
                  adopt_every: float = 2.0, **extra: str) -> Proc:
        name = name or f"bot{sum(p.name.startswith('bot') for p in self.procs) + 1}"
        args = ["-m", "bench.scale.driver", "--users", ",".join(users), "--photo", str(photo),
                "--prompt", prompt, "--log", str(log), "--adopt-every", str(adopt_every)]
        if linger:
            args.append("--linger")
        return self.spawn(name, args, NEMO_API_URL=self.studio_url, **extra)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM every process still running (SIGCONT first, in case it was stopped); SIGKILL laggards."""
        for proc in self.procs:
            proc.signal(signal.SIGCONT)
            proc.signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.procs:
            try:
                proc.popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait(5)
