"""Child processes that die with the harness, the signals that end it, and locks.

Every child (make, QEMU, gnuplot, the host benchmarks) is started by `start()` in a
process group of its own and registered; `kill_all()` kills every registered group by
its id. `signal_handlers()` turns SIGINT, SIGTERM and SIGHUP into `Interrupted` in the
main thread after killing the children, so nothing the harness started outlives it
(a SIGKILL of the harness itself cannot be caught: its children then run on until
their own timeout, which QEMU has not; `harness clean` removes what such a run left).

`Lock` is an exclusive flock(2) on a file (build/.harness.lock, results/.harness.lock):
a second harness run that needs the same tree is refused with the holder's pid and
command line, or queues behind it with --wait. The kernel releases a flock when its
holder dies, so a lock is never stale.

`OWNER` files mark a directory being written (a run's .partial-* folder) with the pid
writing it, so `harness clean` removes only folders whose writer is gone.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import InfraError, Interrupted

_children: dict[int, subprocess.Popen] = {}
_children_lock = threading.RLock()    # re-entrant: the signal handler may interrupt a holder


def start(cmd: list, **kw) -> subprocess.Popen:
    """Popen in a new process group (so a terminal's Ctrl-C reaches only the harness,
    which then kills the group), registered until `forget()`."""
    kw.setdefault("start_new_session", True)
    p = subprocess.Popen(cmd, **kw)
    with _children_lock:
        _children[p.pid] = p
    return p


def forget(p: subprocess.Popen) -> None:
    with _children_lock:
        _children.pop(p.pid, None)


def kill_group(p: subprocess.Popen) -> None:
    """SIGKILL the child's process group (by its id), and reap the child."""
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def kill_all() -> int:
    """Kill every registered child's process group; returns how many were alive."""
    with _children_lock:
        procs = list(_children.values())
    n = 0
    for p in procs:
        if p.poll() is None:
            n += 1
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return n


def live_children() -> list[int]:
    with _children_lock:
        return [pid for pid, p in _children.items() if p.poll() is None]


def run(cmd: list, *, cwd=None, env=None, timeout: float | None = None,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT) -> tuple[int, str]:
    """Run to completion, text output captured (stdout and stderr together by
    default); the whole process group is killed on a timeout or any exception.
    Returns (exit status, output). OSError (no such program) propagates."""
    p = start(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=stdout,
              stderr=stderr, text=True, errors="replace")
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out or ""
    except BaseException:
        kill_group(p)
        raise
    finally:
        forget(p)


@dataclass
class LoggedRun:
    exit_code: int | None = None
    timed_out: bool = False
    seconds: float = 0.0
    start_error: str | None = None      # the program could not be started
    host_error: str | None = None       # writing its output failed on the host side


def _pump(fd: int, out_fd: int | None, errors: list, path: Path) -> None:
    """Copy a pipe to a file byte for byte; on a write error (disk full, read-only)
    record it and keep draining, so the child never blocks on a full pipe."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        while out_fd is not None and chunk:
            try:
                n = os.write(out_fd, chunk)
                chunk = chunk[n:]
            except OSError as e:
                errors.append(f"writing {path}: {e.strerror} "
                              f"({errno.errorcode.get(e.errno, e.errno)})")
                os.close(out_fd)
                out_fd = None
    if out_fd is not None:
        os.close(out_fd)
    os.close(fd)


def run_logged(cmd: list, log_path: Path, err_path: Path, timeout: float) -> LoggedRun:
    """Run `cmd` with its stdout copied to log_path by the harness (so that a host-side
    write error is seen as such, not as a guest that stopped printing) and its stderr
    into err_path. The process group is killed after `timeout` seconds (timed_out) or
    on any exception."""
    res = LoggedRun()
    log_path, err_path = Path(log_path), Path(err_path)
    try:
        out_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        err_f = open(err_path, "wb")
    except OSError as e:
        res.host_error = f"cannot create {e.filename or log_path}: {e.strerror}"
        return res
    errors: list[str] = []
    t0 = time.monotonic()
    with err_f:
        rfd, wfd = os.pipe()
        try:
            p = start(cmd, stdin=subprocess.DEVNULL, stdout=wfd, stderr=err_f)
        except OSError as e:
            os.close(rfd)
            os.close(wfd)
            os.close(out_fd)
            res.start_error = f"cannot start {cmd[0]}: {e.strerror or e}"
            try:
                err_f.write(res.start_error.encode() + b"\n")
            except OSError:
                pass
            return res
        os.close(wfd)
        pump = threading.Thread(target=_pump, args=(rfd, out_fd, errors, log_path),
                                daemon=True)
        pump.start()
        try:
            res.exit_code = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            res.timed_out = True
            kill_group(p)
            res.exit_code = p.returncode
        except BaseException:
            kill_group(p)
            raise
        finally:
            forget(p)
        pump.join(timeout=30)
    res.seconds = time.monotonic() - t0
    if errors:
        res.host_error = errors[0]
    return res


# ------------------------------------------------------------------------ signals

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _on_signal(signum, frame):
    kill_all()
    raise Interrupted(signum, signal.Signals(signum).name)


@contextlib.contextmanager
def signal_handlers():
    """SIGINT/SIGTERM/SIGHUP kill every child, then raise Interrupted in the main
    thread; the previous handlers are restored on exit (tests call cli.main)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.getsignal(s) for s in HANDLED}
    for s in HANDLED:
        signal.signal(s, _on_signal)
    try:
        yield
    finally:
        kill_all()
        for s, h in old.items():
            signal.signal(s, h)


# ------------------------------------------------------------------------ locks

def _holder_text(info: dict | None) -> str:
    if not info:
        return "another process"
    return (f"pid {info.get('pid')} (`{info.get('command', '?')}`, since "
            f"{info.get('started_utc', '?')})")


class Lock:
    """An exclusive lock on `path` for `what` (e.g. 'build/'): refuse or wait."""

    def __init__(self, path: Path, what: str):
        self.path, self.what = Path(path), what
        self.fd: int | None = None

    def holder(self) -> dict | None:
        try:
            return json.loads(self.path.read_text() or "null")
        except (OSError, ValueError):
            return None

    def acquire(self, wait: bool = False, progress=None) -> "Lock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            who = _holder_text(self.holder())
            if not wait:
                os.close(fd)
                raise InfraError(
                    f"{self.what} is in use by another harness run: {who} holds "
                    f"{self.path}. Two runs at once would race in {self.what}; wait for "
                    f"it to finish, or pass --wait to queue behind it")
            if progress:
                progress(f"waiting for {self.what}: {who} holds {self.path}")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                raise
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(owner_info()).encode())
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is not None:
            try:
                os.ftruncate(self.fd, 0)
            except OSError:
                pass
            os.close(self.fd)          # closing drops the flock
            self.fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


@contextlib.contextmanager
def locked(*locks: Lock, wait: bool = False, progress=None):
    """Acquire each lock in order (released in reverse)."""
    held = []
    try:
        for lk in locks:
            held.append(lk.acquire(wait, progress))
        yield
    finally:
        for lk in reversed(held):
            lk.release()


def owner_info() -> dict:
    return {"pid": os.getpid(), "command": " ".join(sys.argv) or "python",
            "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


OWNER = "OWNER"


def write_owner(directory: Path) -> None:
    (Path(directory) / OWNER).write_text(json.dumps(owner_info()) + "\n")


def pid_alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:
        return True
    return True


def owner_alive(directory: Path) -> dict | None:
    """The OWNER record of a directory if the process that writes it still runs."""
    try:
        info = json.loads((Path(directory) / OWNER).read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and pid_alive(info.get("pid")) else None
