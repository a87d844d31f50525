#!/usr/bin/env python3
"""Time and memory of the pre/post statistics (netral.evaluation.stats).

    .venv/bin/python bench/stats_bench.py [--participants 100000] [--items 40] [--repeat 5]
                                          [--seed 2024] [--no-responses]

Generates seeded, realistic pre/post data: a 2PL item-response model (abilities ~ N(0, 1),
item difficulties ~ N(0, 1), discriminations ~ U(0.5, 2)); a learning effect between the
tests that varies by participant; 5 of the items marked out of 2 (partial credit); ~1.5% of
marks missing; 4% of participants without a pre-test and 6% without a post-test; 4-option
multiple-choice responses consistent with the marks (for the distractor scenario).

Goal (shared/PERFORMANCE.md): 100k × 40 items, pre + post analysis < 2 s and < 1 GB.
Timed pipeline "A" = item_statistics(pre) + item_statistics(post) + totals +
learning_gain(pre totals, post totals) — the brief's pipeline. "B" = the same with the
distractor analysis (responses/options) for both tests. Each pipeline runs --repeat times;
the first run in the process ("cold") is reported separately because fresh memory is slow
to touch on this VM. PASS needs the slowest run (cold included) < 2 s and the peak memory
< 1 GB. Memory: tracemalloc peak of one extra run of the pipeline (numpy allocations
above the input data) and the process's peak RSS (ru_maxrss, everything including the
generated data). Reports and exits 0 whatever the result.

The machine may be shared (shared/PERFORMANCE.md: compare ratios to a baseline measured in
the same run), so the report also gives, per pipeline, the median process CPU time and the
ratio of its median wall time to a fixed numpy baseline (sorting each row of a copy of the
pre-test matrix), run before every repetition, and the load average before and after.
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netral.evaluation.stats import item_statistics, learning_gain

TIME_GOAL_S = 2.0
MEMORY_GOAL_BYTES = 1 << 30
OPTIONS = np.array(["A", "B", "C", "D"])


def generate(n: int, k: int, seed: int):
    rng = np.random.default_rng(seed)
    ability = rng.normal(0.0, 1.0, n)
    learning = np.clip(rng.normal(0.6, 0.5, n), -0.5, None)  # logit gain between the tests
    difficulty = rng.normal(0.0, 1.0, k)
    discrimination = rng.uniform(0.5, 2.0, k)
    max_marks = np.ones(k)
    max_marks[rng.choice(k, size=min(5, k), replace=False)] = 2.0
    keys = rng.integers(0, 4, k)

    def sitting(theta):
        p = 1.0 / (1.0 + np.exp(-discrimination * (theta[:, None] - difficulty)))
        marks = (rng.random((n, k)) < p).astype(np.float64)
        two = max_marks == 2.0
        # Partial credit: a second independent "step" for the 2-mark items.
        marks[:, two] += marks[:, two] * (rng.random((n, int(two.sum()))) < p[:, two])
        # Responses: the key when full marks, otherwise a wrong option.
        wrong = (keys + rng.integers(1, 4, (n, k))) % 4
        chosen = np.where(marks == max_marks, keys, wrong)
        missing = rng.random((n, k)) < 0.015
        marks[missing] = np.nan
        responses = OPTIONS[chosen]
        responses[missing] = ""
        return marks, responses

    pre, pre_resp = sitting(ability)
    post, post_resp = sitting(ability + learning)
    no_pre = rng.random(n) < 0.04
    no_post = rng.random(n) < 0.06
    pre[no_pre] = np.nan
    pre_resp[no_pre] = ""
    post[no_post] = np.nan
    post_resp[no_post] = ""
    return pre, post, pre_resp, post_resp, max_marks


def pipeline(pre, post, max_marks, pre_resp=None, post_resp=None):
    opts = None if pre_resp is None else list(OPTIONS)
    a = item_statistics(pre, max_marks=max_marks, responses=pre_resp, options=opts)
    b = item_statistics(post, max_marks=max_marks, responses=post_resp, options=opts)
    pre_tot = np.nansum(pre, axis=1)
    pre_tot[np.isnan(pre).all(axis=1)] = np.nan
    post_tot = np.nansum(post, axis=1)
    post_tot[np.isnan(post).all(axis=1)] = np.nan
    g = learning_gain(pre_tot, post_tot, float(max_marks.sum()))
    return a, b, g


def maxrss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def baseline(matrix) -> float:
    t0 = time.perf_counter()
    np.sort(np.nan_to_num(matrix), axis=1)
    return time.perf_counter() - t0


def run_scenario(label, args, data_args):
    times, cpu, base = [], [], []
    for _ in range(args.repeat):
        gc.collect()
        base.append(baseline(data_args[0]))
        t0, c0 = time.perf_counter(), time.process_time()
        result = pipeline(*data_args)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        del result
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    pipeline(*data_args)
    peak = tracemalloc.get_traced_memory()[1] - start
    tracemalloc.stop()
    return label, times, cpu, base, peak


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--participants", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--no-responses", action="store_true", help="skip scenario B (distractors)")
    args = ap.parse_args()
    n, k = args.participants, args.items

    load_before = loadavg()
    t0 = time.perf_counter()
    pre, post, pre_resp, post_resp, max_marks = generate(n, k, args.seed)
    gen_s = time.perf_counter() - t0
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(
        f"data: {n:,} participants × {k} items, pre + post, seed {args.seed} "
        f"(generated in {gen_s:.2f} s); missing marks {np.isnan(pre).mean():.1%} pre, "
        f"{np.isnan(post).mean():.1%} post"
    )

    scenarios = [
        run_scenario("A: item_statistics x2 + learning_gain", args, (pre, post, max_marks))
    ]
    if not args.no_responses:
        scenarios.append(
            run_scenario(
                "B: A + distractor analysis (4 options)",
                args,
                (pre, post, max_marks, pre_resp, post_resp),
            )
        )
    rss = maxrss_bytes()

    # Sanity figures from one result, so a broken run does not look fast.
    a, b, g = pipeline(pre, post, max_marks)
    print(
        f"check: alpha pre {a.test.alpha:.3f} ({a.test.alpha_method}), post {b.test.alpha:.3f}; "
        f"pairs {g.n_pairs:,} (only pre {g.only_pre:,}, only post {g.only_post:,}); "
        f"<g> {g.class_average_gain:.3f} ({g.class_average_gain_band}); "
        f"d_z {g.effect_sizes.d_z:.3f}"
    )
    print()
    head = (
        f"{'pipeline (wall time)':40} {'cold':>7} {'median':>7} {'min':>7} {'max':>7} "
        f"{'cpu med':>7} {'x base':>6} {'tracemalloc':>11}  result"
    )
    print(head)
    for label, times, cpu, base, peak in scenarios:
        worst = max(times)
        ok = worst < TIME_GOAL_S and peak < MEMORY_GOAL_BYTES and rss < MEMORY_GOAL_BYTES
        ratio = statistics.median(times) / statistics.median(base)
        print(
            f"{label:40} {times[0]:6.3f}s {statistics.median(times):6.3f}s {min(times):6.3f}s "
            f"{worst:6.3f}s {statistics.median(cpu):6.3f}s {ratio:6.1f} "
            f"{peak / 2**20:7.0f} MiB  {'PASS' if ok else 'MISS'}"
        )
    base_all = [b for *_, base, _ in scenarios for b in base]
    print()
    print(
        f"baseline (sort each row of a {n:,} × {k} float64 matrix): median "
        f"{statistics.median(base_all) * 1000:.0f} ms; load average before {load_before}, "
        f"after {loadavg()}"
    )
    print(f"process peak RSS (ru_maxrss, incl. generated data): {rss / 2**20:.0f} MiB")
    print(
        f"goal: < {TIME_GOAL_S:.0f} s (slowest of {args.repeat} runs, cold included) and "
        f"< {MEMORY_GOAL_BYTES / 2**30:.0f} GiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
