"""Time ``import lpmech`` against the imports it cannot avoid.

    python benchmarks/import_time.py            # 7 fresh processes each, medians

``import lpmech`` loads numpy, scipy.sparse, cvxpy and highspy (the solve path) and
nothing else: pandas, matplotlib, dask and the models load when first used. Each
import runs in a fresh interpreter, alternating the variants so that a busy
machine slows all of them alike; the table gives the median wall time and its
ratio to the baseline ``import numpy, scipy.sparse, cvxpy, highspy`` measured in
the same run, and which optional packages ``import lpmech`` pulled in.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

VARIANTS = {
    "baseline: numpy, scipy.sparse, cvxpy, highspy": "import numpy, scipy.sparse, cvxpy, highspy",
    "import lpmech": "import lpmech",
    "import lpmech; lpmech.plots": "import lpmech; lpmech.plots",
}
OPTIONAL = ("pandas", "matplotlib", "dask", "tqdm", "flint", "lpmech.models")
REPEATS = 7


def wall_time(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(REPEATS):
        for name, code in VARIANTS.items():
            times[name].append(wall_time(code))
    baseline = statistics.median(next(iter(times.values())))
    print(f"{'variant':<48} {'median s':>9} {'× baseline':>11}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:<48} {median:>9.3f} {median / baseline:>11.2f}")
    probe = f"import sys, lpmech; print(' '.join(m for m in {OPTIONAL!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout.split()
    print("optional packages loaded by `import lpmech`:", ", ".join(loaded) or "none")


if __name__ == "__main__":
    main()
