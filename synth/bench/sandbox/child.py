"""The sandbox child: run as a script (`python -s -P -B child.py CONFIG`), it contains itself, then runs the program.

Before the program runs: rlimits, new network / mount / pid namespaces where the kernel allows, a minimal
read-only root (the Python installation, shared libraries, four /dev nodes, a fresh /proc and the sandbox
directory, entered with pivot_root or chroot), dropped capabilities, then the guard (`guard.py`, loaded by
path before the package is hidden). A script rather than an imported module so that nothing of synth (and
none of its dependencies) is loaded into the program's interpreter; the supervisor imports its constants.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import os
import signal
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

FILE_SIZE_LIMIT = 10 * 1024 * 1024  # any file the program writes, stdout/stderr included
OPEN_FILES_LIMIT = 64
SETUP_FAILED_EXIT = 125  # the child could not set itself up; the program never ran
PROGRAM_NAME = "program.py"

# Linux constants (sched.h, mount.h, prctl.h, capability.h); Python 3.11 exposes none of them.
CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000
MNT_DETACH = 0x2
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC = 0x1, 0x2, 0x4, 0x8
AT_FDCWD, AT_RECURSIVE = -100, 0x8000
SYS_MOUNT_SETATTR = 442  # the same number on every architecture (syscalls >= 424 are unified)
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "ppc64": 203, "s390x": 217}

# What the minimal root shows besides the interpreter's own prefixes and sys.path (bound read-only at the
# same paths where they exist): the shared-library directories the dynamic loader searches (extension
# modules such as _hashlib or _ctypes dlopen system libraries after the pivot), the loader's cache, the
# time zone. Never /etc as a whole: passwd, shadow, hosts and the like stay out.
MINIMAL_ROOT_SYSTEM_PATHS = (
    "/lib",
    "/lib64",
    "/usr/lib",
    "/usr/lib64",
    "/usr/share/zoneinfo",
    "/etc/ld.so.cache",
    "/etc/localtime",
)
MINIMAL_ROOT_DEVICES = ("null", "zero", "random", "urandom")
OLD_ROOT_NAME = ".synth-old-root"  # where pivot_root parks the host's tree until it is detached
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
LINUX_CAPABILITY_VERSION_3 = 0x20080522


def _child_main(config: dict[str, Any]) -> NoReturn:
    import resource

    notes: list[str] = []
    report_fd = int(config["report_fd"])
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # also for the relay, which may re-raise a fatal signal
        guard = _load_guard() if config["guard"] else None  # now: the minimal root will hide its file
        if config["cgroup_procs"]:
            Path(config["cgroup_procs"]).write_text("0")  # before any fork, so every descendant is counted
        flags, root = _enter_namespaces(config, notes) if config["isolate"] else (0, None)
        if flags & CLONE_NEWPID:
            _split_into_pid_namespace(report_fd)  # returns in the program's process only
            _mount_proc(flags, notes)  # into the minimal root when there is one
        if root is not None:
            _leave_old_root(root, notes)  # only now: a user namespace may mount proc only while the host's is visible
        if config["isolate"]:
            _drop_capabilities(notes)
        _set_limits(config, notes)
        source = Path(PROGRAM_NAME).read_text(encoding="utf-8")
        if guard is not None:
            guard.reliability_guard(config["work"])
            notes.append("guard: destructive os/shutil/subprocess/socket calls raise PermissionError (best effort)")
        else:
            notes.append("guard: off")
    except BaseException as exc:  # noqa: BLE001 - any set-up failure is reported, never run half-contained
        sys.stderr.write(f"[synth sandbox] set-up failed: {type(exc).__name__}: {exc}\n")
        os._exit(SETUP_FAILED_EXIT)
    os.write(report_fd, json.dumps({"ready": True, "notes": notes}).encode())
    os.close(report_fd)
    _exec_program(source)
    sys.exit(0)


def _exec_program(source: str) -> None:
    """Run the program as `__main__` in a fresh module; its own exceptions end the interpreter as usual."""
    import types

    module = types.ModuleType("__main__")
    module.__file__ = PROGRAM_NAME
    sys.modules["__main__"] = module
    sys.argv = [PROGRAM_NAME]
    code = compile(source, PROGRAM_NAME, "exec", dont_inherit=True)
    exec(code, module.__dict__)


def _split_into_pid_namespace(report_fd: int) -> None:
    """After unshare(CLONE_NEWPID), fork the namespace's init, then the program (pid 2).

    The program is not pid 1 because pid 1 ignores default-action signals (its own
    SIGALRM, SIGXCPU at the CPU limit, SIGXFSZ), which would change how programs end.
    This process stays outside, waits for the program, kills the init -- which takes
    every leftover process of the namespace with it -- and ends the way the program did.
    """
    init = os.fork()
    if init == 0:
        os.close(report_fd)
        _reap_forever()
    program = os.fork()
    if program == 0:
        return
    os.close(report_fd)
    _, status = os.waitpid(program, 0)
    with contextlib.suppress(ProcessLookupError):
        os.kill(init, signal.SIGKILL)
    os.waitpid(init, 0)
    _exit_like(status)


def _reap_forever() -> NoReturn:
    """The namespace's init: reap orphans until killed."""
    while True:
        try:
            os.wait()
        except ChildProcessError:
            time.sleep(0.05)


def _exit_like(status: int) -> NoReturn:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)  # not reached for a terminating signal
    os._exit(os.waitstatus_to_exitcode(status))


@cache
def _libc() -> Any:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
    libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    return libc


def _errno_text() -> str:
    import ctypes

    err = ctypes.get_errno()
    return f"[Errno {err}] {os.strerror(err)}"


def _enter_namespaces(config: dict[str, Any], notes: list[str]) -> tuple[int, _RootPlan | None]:
    """New net + mount + pid namespaces: directly as root, inside a new user namespace otherwise.

    Returns the namespaces entered and, when the process now lives in a minimal root, its plan
    (the host's tree is still parked at /OLD_ROOT_NAME until `_leave_old_root`).
    """
    libc = _libc()
    wanted = CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID
    attempts = [wanted, wanted | CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWNET | CLONE_NEWUSER]
    if os.geteuid() != 0:
        attempts = [a for a in attempts if a & CLONE_NEWUSER]
    flags, failure = 0, ""
    for attempt in attempts:
        uid, gid = os.getuid(), os.getgid()
        if libc.unshare(attempt) == 0:
            flags = attempt
            if attempt & CLONE_NEWUSER:
                _map_own_ids(uid, gid)
            break
        failure = failure or _errno_text()
    if flags & CLONE_NEWNET:
        notes.append("network: own network namespace, no interface up (no loopback, no internet)")
    else:
        notes.append(f"network: shared with the host (unshare failed: {failure}); only the guard blocks sockets")
    root = _confine_filesystem(config, notes) if flags & CLONE_NEWNS else None
    if not flags & CLONE_NEWNS:
        notes.append("filesystem: writable wherever the calling user may write; only the guard blocks deletes")
    if not flags & CLONE_NEWPID:
        notes.append("processes: shared pid namespace (other processes visible; the group kill cleans up)")
    return flags, root


def _map_own_ids(uid: int, gid: int) -> None:
    """Inside a new user namespace, keep the caller's ids so file ownership looks unchanged."""
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with contextlib.suppress(OSError):
            Path(f"/proc/self/{name}").write_text(text)


def _confine_filesystem(config: dict[str, Any], notes: list[str]) -> _RootPlan | None:
    """In the new mount namespace: the host read-only except the sandbox directory, then a minimal root on top.

    The read-only host is today's layer and stays the fallback: where the minimal root cannot be
    built the program sees the host's files, read-only, and the note says so and why.
    """
    work = Path(config["work"])
    failure = _read_only_except(work)
    if failure:
        notes.append(f"filesystem: not made read-only ({failure}); only the guard blocks deletes")
        return None
    plan = _plan_minimal_root(_interpreter_paths(), _hidden_paths(config))
    try:
        stdlib = os.path.dirname(os.__file__)
        if not any(_is_within(os.path.realpath(stdlib), os.path.realpath(b)) for b in plan.binds):
            raise OSError(errno.ENOENT, f"the standard library {stdlib} would not be visible")
        how = _enter_minimal_root(Path(config["new_root"]), work, plan)
    except OSError as exc:
        notes.append(
            "filesystem: the host's, read-only except the sandbox directory, own mount namespace "
            f"(minimal root failed: {exc})"
        )
        return None
    return dataclasses.replace(plan, how=how)


def _read_only_except(work: Path) -> str | None:
    """Every mount read-only (recursively, kernel >= 5.12) except a bind mount of the sandbox directory.

    Returns why it failed, or None.
    """
    target = str(work).encode()
    try:
        _mount(None, b"/", None, MS_REC | MS_PRIVATE)  # nothing propagates back to the host
        _mount(target, target, None, MS_BIND | MS_REC)
        _mount_setattr(b"/", AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0)
        _mount_setattr(target, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, MOUNT_ATTR_RDONLY)
    except OSError as exc:
        return str(exc)
    finally:
        os.chdir(work)  # the cwd still pointed at the directory under the new bind mount
    return None


def _mount(source: bytes | None, target: bytes, fstype: bytes | None, flags: int, data: bytes | None = None) -> None:
    if _libc().mount(source, target, fstype, flags, data) != 0:
        raise _os_error(f"mount {target.decode(errors='replace')}")


def _mount_setattr(path: bytes, flags: int, attr_set: int, attr_clr: int) -> None:
    """mount_setattr(2): change a mount's flags (recursively with AT_RECURSIVE) without a remount."""
    import ctypes

    attr = _mount_attr_type()(attr_set, attr_clr, 0, 0)
    if _libc().syscall(SYS_MOUNT_SETATTR, AT_FDCWD, path, flags, ctypes.byref(attr), ctypes.sizeof(attr)) != 0:
        raise _os_error(f"mount_setattr {path.decode(errors='replace')}")


@cache
def _mount_attr_type() -> Any:
    """struct mount_attr, built once per child (it sets up a dozen mounts)."""
    import ctypes

    class MountAttr(ctypes.Structure):
        _fields_ = [(n, ctypes.c_uint64) for n in ("attr_set", "attr_clr", "propagation", "userns_fd")]

    return MountAttr


def _os_error(what: str) -> OSError:
    import ctypes

    err = ctypes.get_errno()
    return OSError(err, f"{what}: {os.strerror(err)}")


@dataclass(frozen=True)
class _RootPlan:
    """What the minimal root shows, every path at the place it has on the host.

    binds: host files and directories bound read-only (nosuid, nodev); links: symbolic links
    recreated as they are (/lib -> usr/lib on merged-/usr systems); masks: directories inside a
    bind covered by an empty read-only tmpfs ($SYNTH_HOME or this package, should they lie inside
    the Python installation); how: "pivot_root", or "chroot (why pivot_root was refused)", once entered.
    """

    binds: tuple[str, ...]
    links: tuple[tuple[str, str], ...] = ()
    masks: tuple[str, ...] = ()
    how: str = ""


def _interpreter_paths() -> list[str]:
    """What this interpreter may read after the pivot: its prefixes, its sys.path, the system libraries.

    Called in the child, whose sys.path is the program's (no PYTHONPATH, no user site); entries that
    are not paths (the editable install's path hook) or do not exist are dropped by the plan.
    """
    prefixes = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    return [*prefixes, *(p for p in sys.path if p), *MINIMAL_ROOT_SYSTEM_PATHS]


def _hidden_paths(config: dict[str, Any]) -> list[str]:
    """This package, its source checkout (an editable install's project directory) and $SYNTH_HOME.

    The checkout is the directory holding the package unless that is inside the Python
    installation (a regular install into site-packages, which the program may need).
    """
    package = Path(__file__).resolve().parents[2]  # synth/bench/sandbox/child.py -> synth/
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    hidden = [str(package), *config.get("hide", [])]
    if not any(_is_within(str(package.parent), p) for p in prefixes):
        hidden.append(str(package.parent))
    return [h for h in hidden if os.path.realpath(h) != "/"]  # hiding "/" would hide the interpreter too


def _is_within(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip("/") + "/")


def _plan_minimal_root(paths: list[str], hidden: list[str]) -> _RootPlan:
    """Decide the binds, links and masks of the minimal root (pure, so it can be tested without mounting).

    A path whose real location is inside a hidden directory is left out; "/" never is bound; a
    path through a symbolic link becomes that link plus a bind of its real location, so the same
    strings (sys.path, the loader's paths) resolve inside the root as outside; nested binds
    collapse into the outer one.
    """
    hidden_real = [os.path.realpath(h) for h in hidden]
    binds: list[str] = []
    links: dict[str, str] = {}
    queue, seen = [os.path.abspath(p) for p in paths], set()
    while queue:
        path = queue.pop(0)
        if path in seen or not os.path.lexists(path):
            continue
        seen.add(path)
        real = os.path.realpath(path)
        if real == "/" or any(_is_within(real, h) for h in hidden_real):
            continue
        parts = Path(path).parts
        link = next(
            (a for a in (os.path.join(*parts[:i]) for i in range(2, len(parts) + 1)) if os.path.islink(a)), None
        )
        if link is None:
            binds.append(path)
            continue
        links[link] = os.readlink(link)
        # The same path with its first link replaced by the link's target: later links are recreated too.
        queue.append(os.path.normpath(os.path.join(os.path.dirname(link), links[link], os.path.relpath(path, link))))
    kept: list[str] = []
    for path in sorted(set(binds)):
        if not any(_is_within(path, k) for k in kept):
            kept.append(path)
    masks = {
        os.path.join(bind, os.path.relpath(h, real))
        for bind in kept
        for real in [os.path.realpath(bind)]
        for h in hidden_real
        if h != real and _is_within(h, real) and os.path.isdir(h)
    }
    visible_links = tuple((p, t) for p, t in sorted(links.items()) if not any(_is_within(p, k) for k in kept))
    return _RootPlan(binds=tuple(kept), links=visible_links, masks=tuple(sorted(masks)))


def _enter_minimal_root(new_root: Path, work: Path, plan: _RootPlan) -> str:
    """Build the minimal root on a tmpfs at `new_root` and pivot_root (else chroot) into it; which of the two.

    The tmpfs stays writable until `_leave_old_root` has removed the old root's mount point; the
    binds are read-only, nosuid and nodev from the start (the /dev nodes keep dev, the sandbox
    directory stays writable and noexec). Runs before the pid namespace's processes are forked,
    so every one of them has its root and cwd inside the new tree: none keeps a way back to the
    host through /proc/PID/cwd. On failure (OSError) everything mounted is detached again.
    """
    new = str(new_root)
    read_only = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV

    def bind(path: str, attr_set: int, attr_clr: int = 0, flags: int = MS_BIND | MS_REC) -> None:
        target = new + path
        if os.path.isdir(path):
            os.makedirs(target, exist_ok=True)
        elif not os.path.lexists(target):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            Path(target).touch()
        _mount(path.encode(), target.encode(), None, flags)
        _mount_setattr(target.encode(), AT_RECURSIVE if flags & MS_REC else 0, attr_set, attr_clr)

    _mount(b"tmpfs", new.encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, b"mode=0755,size=1m,nr_inodes=4096")
    try:
        for path, target in plan.links:
            os.makedirs(os.path.dirname(new + path), exist_ok=True)
            os.symlink(target, new + path)
        for path in plan.binds:
            bind(path, read_only)
        for path in plan.masks:
            _mount(b"tmpfs", (new + path).encode(), b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, b"size=4k")
        bind(str(work), MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, MOUNT_ATTR_RDONLY, MS_BIND)
        for name in MINIMAL_ROOT_DEVICES:
            if os.path.exists(f"/dev/{name}"):
                bind(f"/dev/{name}", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, 0, MS_BIND)
        os.makedirs(new + "/dev", exist_ok=True)
        for name, target in (("fd", ""), ("stdin", "/0"), ("stdout", "/1"), ("stderr", "/2")):
            os.symlink(f"/proc/self/fd{target}", f"{new}/dev/{name}")
        os.makedirs(new + "/proc", exist_ok=True)
        os.mkdir(f"{new}/{OLD_ROOT_NAME}")
        if _pivot_root(new.encode(), f"{new}/{OLD_ROOT_NAME}".encode()):
            how = "pivot_root"
        else:
            refused = _os_error("pivot_root")
            os.rmdir(f"{new}/{OLD_ROOT_NAME}")
            os.chroot(new)  # the host's tree stays attached but unreachable: no path leads out, CAP_SYS_CHROOT goes
            how = f"chroot ({refused.strerror})"
    except BaseException:
        _libc().umount2(new.encode(), MNT_DETACH)
        raise
    os.chdir(work)
    return how


def _pivot_root(new_root: bytes, put_old: bytes) -> bool:
    """pivot_root(2): glibc has no wrapper, so by syscall number where the libc does not export one."""
    libc = _libc()
    if hasattr(libc, "pivot_root"):
        return bool(libc.pivot_root(new_root, put_old) == 0)
    number = SYS_PIVOT_ROOT.get(os.uname().machine)
    if number is None:
        import ctypes

        ctypes.set_errno(errno.ENOSYS)  # an architecture whose syscall number is not listed here
        return False
    return bool(libc.syscall(number, new_root, put_old) == 0)


def _leave_old_root(plan: _RootPlan, notes: list[str]) -> None:
    """Detach the host's tree parked at /OLD_ROOT_NAME, make the root tmpfs read-only, say what the program sees.

    Done after /proc is mounted: in a user namespace the kernel mounts a new proc only while a
    full one is visible somewhere in the mount namespace (here: the host's, under the old root).
    """
    seen = ", ".join([*plan.binds, *(f"{p} -> {t}" for p, t in plan.links)])
    hidden = f" (emptied: {', '.join(plan.masks)})" if plan.masks else ""
    devices = "/dev/{" + ",".join(MINIMAL_ROOT_DEVICES) + "}"
    what = f"filesystem: minimal read-only root via {plan.how}: {seen}{hidden}, {devices}, /proc"
    what += "; writable: the sandbox directory only"
    old = ("/" + OLD_ROOT_NAME).encode()
    if plan.how == "pivot_root" and _libc().umount2(old, MNT_DETACH) != 0:
        notes.append(f"{what}; BUT the host's read-only tree stays at /{OLD_ROOT_NAME} ({_errno_text()})")
        return
    with contextlib.suppress(OSError):
        os.rmdir(old)
    try:
        _mount_setattr(b"/", 0, MOUNT_ATTR_RDONLY, 0)
    except OSError as exc:
        what += f", and the root directory's own 1 MB tmpfs ({exc})"
    notes.append(what)


def _mount_proc(flags: int, notes: list[str]) -> None:
    """A /proc of the new pid namespace, read-only: no other process is visible, no sysctl writable."""
    if not flags & CLONE_NEWNS:
        notes.append("processes: own pid namespace; /proc still shows the host's processes")
        return
    libc = _libc()
    if libc.mount(b"proc", b"/proc", b"proc", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, None) == 0:
        notes.append("processes: own pid namespace; every process the program starts dies with it")
    else:
        notes.append(f"processes: own pid namespace; /proc not remounted ({_errno_text()})")


def _drop_capabilities(notes: list[str]) -> None:
    """Root keeps its uid but loses every capability, so it cannot undo the namespaces or remount."""
    import ctypes

    libc = _libc()
    try:
        last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    except (OSError, ValueError):
        last = 63
    for cap in range(last + 1):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    if libc.capset(header, data) == 0:
        notes.append("capabilities: all dropped, no_new_privs set")
    else:
        notes.append(f"capabilities: not dropped ({_errno_text()})")


def _set_limits(config: dict[str, Any], notes: list[str]) -> None:
    import resource

    cpu = int(config["cpu_s"])
    memory = int(config["memory_mb"]) * 1024 * 1024
    limits = [
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_FSIZE, config["file_size"], config["file_size"]),
        (resource.RLIMIT_NOFILE, OPEN_FILES_LIMIT, OPEN_FILES_LIMIT),
        (resource.RLIMIT_NPROC, config["max_processes"], config["max_processes"]),
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_AS, memory, memory),
    ]
    for which, soft, hard in limits:
        _, current_hard = resource.getrlimit(which)
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        resource.setrlimit(which, (soft, hard))
    notes.append(
        f"limits: address space {config['memory_mb']} MB, CPU {cpu} s, files {config['file_size'] // 2**20} MB, "
        f"{OPEN_FILES_LIMIT} open files, no core dumps"
    )


def _load_guard() -> Any:
    """`guard.py` beside this file, loaded by path: `-P` keeps this folder off sys.path, and once the minimal
    root is entered the file is no longer visible."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("synth_sandbox_guard", Path(__file__).with_name("guard.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    _child_main(json.loads(sys.argv[1]))
