"""Peak memory during the timed runs: CUDA max-allocated where CUDA, else the peak RSS increase.

RSS is sampled by a background thread because `ru_maxrss` is a lifetime peak
that includes model loading; the paper's "memory overhead" is the change
during generation, which is what the delta against the pre-run RSS gives.
"""

from __future__ import annotations

import threading
from types import TracebackType


class PeakMemory:
    def __init__(self, device: str, interval_s: float = 0.02) -> None:
        self.device = device
        self.interval_s = interval_s
        self.peak_mb: float | None = None
        self.kind = "cuda_max_allocated" if device == "cuda" else "rss_delta"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakMemory:
        if self.device == "cuda":
            import torch

            torch.cuda.synchronize()
            self._base = torch.cuda.memory_allocated()
            torch.cuda.reset_peak_memory_stats()
            return self
        import psutil

        self._proc = psutil.Process()
        self._base = self._proc.memory_info().rss
        self._peak = self._base
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.interval_s):
            rss = self._proc.memory_info().rss
            if rss > self._peak:
                self._peak = rss

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.device == "cuda":
            import torch

            torch.cuda.synchronize()
            self.peak_mb = (torch.cuda.max_memory_allocated() - self._base) / 2**20
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._peak = max(self._peak, self._proc.memory_info().rss)
        self.peak_mb = (self._peak - self._base) / 2**20
