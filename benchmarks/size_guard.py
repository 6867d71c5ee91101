"""Time and memory of the size guard's refusal, from 10³ to 10⁵ types and 10 to 10³ agents.

    python benchmarks/size_guard.py            # print the table (well under a minute)
    python benchmarks/size_guard.py --write    # also put it in benchmarks/README.md

Each case runs in a fresh process (one-time import costs not charged): it builds a
single-item auction (uniform values 1..K, N bidders), then calls ``lpmech.solve`` with
DSIC and ex-post IR under ``memory_limit=4e9``, which must refuse with
``ProblemTooLargeError``. The table gives the environment's build seconds, the refusal's
seconds (the solve call until it raises, message and what-fits advice included), their
ratio, the peak bytes Python and numpy allocated during the refusal (``tracemalloc``)
against the environment's own inputs Σ K_i·(C + 1) numbers, and the start of the advice.
The guard decides from counts (Python integers), so refusal costs stay linear in the
inputs (compiling families reads each agent's types once), never in ∏ K_i.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import in_fresh_process, machine, write_section  # noqa: E402

BEGIN, END = "<!-- size guard -->", "<!-- /size guard -->"
#: (bidders, types per bidder)
CASES = [(10, 1_000), (10, 10_000), (10, 100_000), (10, 4), (100, 4), (1_000, 4)]
LIMIT = 4e9


def _refuse(n_bidders: int, n_types: int, queue: Any) -> None:
    import numpy as np

    import lpmech
    from lpmech.errors import ProblemTooLargeError
    from lpmech.problem.builders import single_item_auction

    lpmech.solve(single_item_auction([1, 2], 2), "revenue", ["dsic", "ex_post_ir"])  # warm
    start = time.perf_counter()
    env = single_item_auction(np.arange(1, n_types + 1), n_bidders)
    build = time.perf_counter() - start
    tracemalloc.start()
    start = time.perf_counter()
    try:
        lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], memory_limit=LIMIT)
        advice = "(solved: not refused)"
    except ProblemTooLargeError as error:
        advice = str(error).split("What would fit: ")[-1][:60]
    refusal = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    inputs = n_bidders * n_types * (n_bidders + 1)
    queue.put(
        {"build": build, "refusal": refusal, "peak": peak, "inputs": inputs, "advice": advice}
    )


def table() -> str:
    rows = [
        "| bidders × types | build s | refusal s | refusal/build | peak during refusal | "
        "peak / (8 B × inputs) | advice |",
        "|---|---|---|---|---|---|---|",
    ]
    for n_bidders, n_types in CASES:
        result = in_fresh_process(_refuse, (n_bidders, n_types), timeout=120)
        if "refusal" not in result:
            rows.append(f"| {n_bidders} × {n_types:,} | {result} | | | | | |")
            continue
        ratio = result["peak"] / (8 * result["inputs"])
        rows.append(
            f"| {n_bidders} × {n_types:,} | {result['build']:.2f} | {result['refusal']:.3f} | "
            f"{result['refusal'] / result['build']:.2f} | {result['peak'] / 1e6:.1f} MB | "
            f"{ratio:.2f} | {result['advice']} |"
        )
        print(rows[-1], flush=True)
    stamp = datetime.date.today().isoformat()
    return (
        f"Size guard, memory_limit=4e9 ({stamp}; {machine()}; `python "
        "benchmarks/size_guard.py`):\n\n" + "\n".join(rows)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update benchmarks/README.md")
    text = table()
    print(text)
    if parser.parse_args().write:
        write_section(BEGIN, END, text)


if __name__ == "__main__":
    main()
