"""Exit statuses of the harness and the errors that map to them (one place).

    0  success
    1  a regression was found, or a variant failed (the kernel misbehaved: panic,
       hang, failed check, malformed or implausible output, build error)
    2  usage or input error: an unknown name, a bad option, a malformed variant file,
       a damaged or inconsistent stored run, a refused comparison
    3  infrastructure fault: a host-side I/O error (read-only or full disk), a missing
       tool (QEMU, make, gnuplot), a lock held by another harness run
  128+N  killed by signal N (SIGINT 130, SIGTERM 143, SIGHUP 129); every child
       process the harness started is killed first

`cli.main` turns each error into its message on stderr and its exit status; every
message names the problem and the fix.
"""
from __future__ import annotations

import errno

EXIT_OK = 0
EXIT_REGRESSION = 1
EXIT_USAGE = 2
EXIT_INFRA = 3


class HarnessError(Exception):
    """An error the command line reports as one message and an exit status."""
    exit_code = EXIT_USAGE


class UsageError(HarnessError):
    """A user asked for something that does not exist (the message lists what does)."""


class InputError(HarnessError):
    """Bad input data: a malformed file, a damaged stored run."""


class InfraError(HarnessError):
    """The host, not the kernel or the user: I/O errors, missing tools, a busy lock."""
    exit_code = EXIT_INFRA


class Interrupted(BaseException):
    """SIGINT, SIGTERM or SIGHUP arrived (raised by proc's handlers in the main thread).
    A BaseException, so that no `except Exception` swallows it."""

    def __init__(self, signum: int, name: str):
        super().__init__(name)
        self.signum, self.name = signum, name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


# errno values that mean "the host's storage", never the guest.
HOST_IO_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EIO, errno.EACCES,
                  errno.EPERM, errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EMFILE,
                  errno.ENFILE, errno.EFBIG}


def describe_os_error(e: OSError, doing: str) -> str:
    """'writing results/x/meta.json: No space left on device (ENOSPC)' and a fix."""
    code = errno.errorcode.get(e.errno, str(e.errno)) if e.errno else ""
    where = f" {e.filename}" if e.filename else ""
    fix = {errno.ENOSPC: "free disk space",
           errno.EDQUOT: "free disk space (quota exceeded)",
           errno.EROFS: "make the file system writable, or pass --results DIR on a "
                        "writable one",
           errno.EACCES: "fix the permissions, or pass --results DIR",
           errno.EPERM: "fix the permissions, or pass --results DIR"}.get(e.errno, "")
    msg = f"host-side I/O error {doing}{where}: {e.strerror or e}" + \
        (f" ({code})" if code else "")
    return msg + (f"; {fix}" if fix else "")
