"""Processes under test: start them pinned, read their CPU time and RSS from /proc, stop them by their own id."""
import os
import signal
import socket
import subprocess
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")

_started = []


def children(pid):
    """Direct children of pid, found by scanning /proc (nginx workers of a master)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out


def cpu_ticks(pid):
    """utime + stime of a process (all its threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2:].split()
    # fields[0] is field 3 (state); utime is field 14, stime field 15
    return int(fields[11]) + int(fields[12])


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_busy_ticks(cpu):
    """Busy ticks (everything but idle and iowait) of one CPU since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith(f"cpu{cpu} "):
                v = [int(x) for x in line.split()[1:]]
                return sum(v) - v[3] - v[4]
    return 0


class Proc:
    """A started server: an nginx master (whose workers are counted with it) or a JVM."""

    def __init__(self, name, argv, port, log_path, env=None, kind="jvm", cpu=None):
        self.name = name
        self.cpu = cpu
        self.argv = argv
        self.port = port
        self.kind = kind
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.t_spawn = time.monotonic()
        self.popen = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      env=env, start_new_session=True)
        self.pid = self.popen.pid
        _started.append(self)

    def pids(self):
        return [self.pid] + (children(self.pid) if self.kind == "nginx" else [])

    def cpu_ticks(self):
        total = 0
        for p in self.pids():
            try:
                total += cpu_ticks(p)
            except OSError:
                pass
        return total

    def rss_mib(self):
        total = 0
        for p in self.pids():
            try:
                total += rss_kib(p)
            except OSError:
                pass
        return round(total / 1024, 1)

    def alive(self):
        return self.popen.poll() is None

    def stop(self, timeout=20):
        if self.popen.poll() is None:
            try:
                self.popen.send_signal(signal.SIGTERM if self.kind == "jvm" else signal.SIGQUIT)
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
            except ProcessLookupError:
                pass
        self.log.close()
        if self in _started:
            _started.remove(self)

    def tail(self, n=20):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace").splitlines()[-n:]
        except OSError:
            return []


def stop_all():
    for p in list(_started):
        try:
            p.stop(timeout=10)
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(port, path="/100b", timeout=0.5):
    """Status code of one GET over a fresh connection, or None if nothing answers."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while b"\r\n" not in data:
                chunk = s.recv(256)
                if not chunk:
                    break
                data += chunk
            parts = data.split(b" ", 2)
            return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    except OSError:
        return None


def wait_first_200(port, t0, limit=40.0, path="/100b", proc=None):
    """Polls every ~2 ms until a proxied 200; returns seconds since t0 (monotonic), or None after limit."""
    while time.monotonic() - t0 < limit:
        if http_status(port, path, timeout=1.0) == 200:
            return time.monotonic() - t0
        if proc is not None and not proc.alive():
            return None
        time.sleep(0.002)
    return None


def wait_ready(admin_port, t0, limit=60.0, proc=None):
    """Polls /readyz on the admin port every ~10 ms until it answers 200; returns seconds since t0, or None."""
    while time.monotonic() - t0 < limit:
        if http_status(admin_port, "/readyz", timeout=1.0) == 200:
            return time.monotonic() - t0
        if proc is not None and not proc.alive():
            return None
        time.sleep(0.01)
    return None
