"""Worker processes: the battery survives targets that hang or kill their process, and uses every core.

Each worker is a spawned process that loads the target itself (by name, or unpickled) and runs whole
properties: a property's samples never cross a pipe, only its result does. At every target call the
worker writes which call it is in, and when it began, to memory it shares with the parent (a pipe message
per call cost more than the calls of some properties), so the parent can abandon a call that exceeds the
time limit (it kills the worker) and name the call that was running when a worker died (a segfault or
``abort()`` in a native kernel). The property then gets the verdict ``error`` with that one line, a fresh
worker takes the next property, and the rest of the battery runs.

Every property draws its randomness from the run seed and its own name (``Context.seed_sequence``), never
from what ran before it in the same process, so the run's JSON is the same with 1 or N workers.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from .checks import ALL_CHECKS, Check
from .context import Context
from .limits import DEFAULT_CALL_TIMEOUT, check_call_timeout, check_workers
from .messages import Answer, CheckAnswer, Failed, ProbeAnswer, ProbeTask, Task
from .plan import probe_dtypes
from .result import PropertyResult, Verdict
from .target import TargetAdapter, load_target
from .tiers import TIERS

POLL = 0.2  # seconds between checks of the running calls' age


@dataclass(frozen=True)
class TargetSpec:
    """How a worker gets the target: a name it loads itself, or a pickled object."""

    name: str
    display: str
    pickled: bytes | None = None

    @classmethod
    def of(cls, target: Any, name: str, display: str) -> TargetSpec:
        if name:
            return cls(name=name, display=display)
        try:
            return cls(name="", display=display, pickled=pickle.dumps(target))
        except Exception as error:
            raise ValueError(
                f"target {display!r} cannot be sent to a worker process ({error!r}): pass it as "
                "'package.module:attr', make it picklable, or run with workers=0 (no isolation)") from error

    def load(self) -> Any:
        return load_target(self.name) if self.name else pickle.loads(self.pickled or b"")


def run_property(ctx: Context, check: Check) -> PropertyResult:
    """One property on one context: its verdict, with any exception of the property turned into ``error``.
    KeyboardInterrupt propagates (the caller decides what an interrupted run keeps)."""
    result = check.new_result(ctx)
    began, inside, calls = time.perf_counter(), ctx.target.call_seconds, ctx.target.calls
    first_seconds, first_calls = ctx.target.first_call_seconds, ctx.target.first_calls
    skip = check.skip_reason(ctx.scope.law)
    if skip:
        result.verdict, result.message = Verdict.SKIPPED, skip
    elif not ctx.dtypes and check.name not in ("contract", "invalid_rate"):
        result = check.error_result(ctx, "the target accepted none of the dtypes: " + "; ".join(
            f"{dtype}: {reason}" for dtype, reason in ctx.unsupported.items()))
    else:
        try:
            check.run(ctx, result)
        except Exception as error:  # a broken property or target must not end the run
            result.verdict, result.message = Verdict.ERROR, f"{type(error).__name__}: {error}"
        result.summarise()
    result.key_estimate = check.key_estimate(result)
    result.seconds = time.perf_counter() - began
    result.target_seconds = ctx.target.call_seconds - inside
    result.target_calls = ctx.target.calls - calls
    result.first_call_seconds = ctx.target.first_call_seconds - first_seconds
    result.first_calls = ctx.target.first_calls - first_calls
    return result


class CallSlot:
    """Shared memory where a worker says which target call it is in: the call's description, when it began
    (``time.monotonic``, the same clock in every process; 0 between calls) and the elements sent so far."""

    SIZE = 1024

    def __init__(self, context: Any) -> None:
        self.where = context.RawArray("c", self.SIZE)
        self.began = context.RawValue("d", 0.0)
        self.elements = context.RawValue("q", 0)

    def enter(self, where: str, size: int) -> None:
        self.where.value = where.encode("utf-8", "replace")[: self.SIZE - 1]
        self.elements.value += size
        self.began.value = time.monotonic()

    def leave(self) -> None:
        self.began.value = 0.0

    def call(self) -> tuple[str | None, float]:
        """The running call and when it began, or ``(None, 0.0)``."""
        began = self.began.value
        return (self.where.value.decode("utf-8", "replace"), began) if began else (None, 0.0)


PR_SET_PDEATHSIG = 1  # prctl(2): the signal a Linux process gets when the thread that started it exits
ORPHAN_POLL = 1.0  # seconds between the watchdog's looks at the parent, where prctl is not available


def die_with_parent(parent: int) -> None:
    """A worker must not outlive the run that started it, whatever kills the run (a CI job's SIGKILL
    included): on Linux the kernel sends SIGKILL when the parent dies; elsewhere a daemon thread checks the
    parent every second. A worker whose parent is already gone exits at once."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            armed = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:
        os._exit(1)
    if not armed:
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(ORPHAN_POLL)
            os._exit(1)

        threading.Thread(target=watch, name="dropout-verify-orphan-watchdog", daemon=True).start()


def _worker(conn: Connection, slot: CallSlot, spec: TargetSpec, tier: str, seed: int, parent: int) -> None:
    """A worker's life: load the target, then run the tasks the parent sends until it sends None."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        adapter = TargetAdapter(spec.load(), spec.display)
    except BaseException as error:
        conn.send(Failed(f"the worker could not load the target: {error!r}"))
        return
    adapter.on_call = slot.enter
    adapter.on_return = slot.leave
    checks = {check.name: check for check in ALL_CHECKS}
    while True:
        task = conn.recv()
        if task is None:  # skip the interpreter's teardown (0.2 s with scipy loaded): nothing is left to save
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        if isinstance(task, ProbeTask):
            conn.send(ProbeAnswer(probe_dtypes(adapter)))
        else:
            ctx = Context(target=adapter, tier=TIERS[tier], run_seed=seed, plan=task.plan)
            conn.send(CheckAnswer(run_property(ctx, checks[task.name])))


def exit_reason(exitcode: int | None) -> str:
    """``killed by SIGSEGV`` / ``exited with status 3``."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with status {exitcode}"


@dataclass
class _Worker:
    process: Any
    conn: Connection
    slot: CallSlot
    task: Task | None = None
    elements_seen: int = 0  # of the slot's count, what the pool's counter already holds

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


@dataclass
class Elements:
    """What the progress display reads: elements sent to the target, summed over the workers."""

    elements: int = 0


@dataclass
class WorkerPool:
    """Runs tasks in up to ``workers`` processes, replacing a worker that hung or died."""

    spec: TargetSpec
    tier: str
    seed: int
    workers: int
    call_timeout: float = DEFAULT_CALL_TIMEOUT
    counter: Elements = field(default_factory=Elements)

    def __post_init__(self) -> None:
        check_workers(self.workers, minimum=1)
        check_call_timeout(self.call_timeout)
        self._context = multiprocessing.get_context("spawn")  # fork is unsafe once a framework runs threads
        self._idle: list[_Worker] = []

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        slot = CallSlot(self._context)
        process = self._context.Process(
            target=_worker, args=(child, slot, self.spec, self.tier, self.seed, os.getpid()), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent, slot)

    def start_all(self) -> None:
        """Spawn every worker now: they load the target in parallel while the first task runs."""
        while len(self._idle) < self.workers:
            self._idle.append(self._start())

    def run(self, tasks: Sequence[Task], on_start: Callable[[Task], None] | None = None) -> dict[Task, Answer]:
        """Each task's answer (what the worker sent back, or ``Failed`` with the reason), keyed by task.

        KeyboardInterrupt kills every worker and propagates; what finished is in ``self.partial``."""
        pending = list(tasks)
        busy: list[_Worker] = []
        self.partial: dict[Task, Answer] = {}
        try:
            while pending or busy:
                while pending and len(busy) < self.workers:
                    worker = self._idle.pop() if self._idle else self._start()
                    worker.task = pending.pop(0)
                    worker.conn.send(worker.task)
                    if on_start:
                        on_start(worker.task)
                    busy.append(worker)
                wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=POLL)
                for worker in list(busy):
                    answer = self._drain(worker)
                    if answer is None or worker.task is None:
                        continue
                    self.partial[worker.task] = answer
                    busy.remove(worker)
                    if isinstance(answer, Failed):
                        worker.stop()
                    else:
                        worker.task = None
                        self._idle.append(worker)
        except BaseException:
            for worker in busy:
                worker.stop()
            self.close()
            raise
        return self.partial

    def _drain(self, worker: _Worker) -> Answer | None:
        """Read what the worker said; its answer once it has one (or once it died or hung), else None."""
        elements = worker.slot.elements.value
        self.counter.elements += elements - worker.elements_seen
        worker.elements_seen = elements
        try:
            if worker.conn.poll():
                answer: Answer = worker.conn.recv()
                return answer
        except (EOFError, OSError):
            pass  # the pipe closed: the process died; its sentinel says how
        call, began = worker.slot.call()
        if not worker.process.is_alive():
            worker.process.join()
            during = f"during {call}" if call else "outside any target call"
            return Failed(f"the worker process {exit_reason(worker.process.exitcode)} {during}")
        if call and time.monotonic() - began > self.call_timeout:
            return Failed(f"{call} did not return within {self.call_timeout:g} s; the call was abandoned (its "
                          "worker killed)")
        return None

    def close(self) -> None:
        """Ask idle workers to exit, then make sure they have."""
        for worker in self._idle:  # all told first, so that they shut down in parallel
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in self._idle:
            worker.process.join(timeout=5)
            worker.stop()
        self._idle = []
