#!/usr/bin/env python3
"""Accuracy of the self-check on the labelled situations in bench/selfcheck_cases.csv.

    .venv/bin/python bench/selfcheck_eval.py [--verbose]

Builds the index from the shipped content (netral/knowledge/content, no database), ranks
as the product does (including the caution rule of ``apply_caution``), and
reports index build time, top-1 and top-3 accuracy, verdict accuracy of the top answer,
the number of "allowed" answers where the catalogue says "prohibited" (must be 0), and
whether the off-topic cases (expected "-") are answered as not confident."""

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from netral.knowledge import loader  # noqa: E402
from netral.knowledge.search import SelfCheckIndex, apply_caution  # noqa: E402

CASES = ROOT / "bench" / "selfcheck_cases.csv"


def build():
    documents = loader.behaviours()
    synonyms = {row["term"]: row["expansion"] for row in loader.read("synonyms.json")}
    started = time.perf_counter()
    index = SelfCheckIndex(documents, synonyms)
    return index, {d["code"]: d["verdict"] for d in documents}, time.perf_counter() - started


def evaluate(index, verdicts, *, verbose=False) -> dict:
    with CASES.open(encoding="utf-8") as fh:
        cases = list(csv.DictReader(fh))
    top1 = top3 = verdict_ok = dangerous = positives = negatives_ok = negatives = 0
    misses = []
    latencies = []
    for case in cases:
        started = time.perf_counter()
        outcome = index.search(case["query"])
        latencies.append(time.perf_counter() - started)
        ranked, _ambiguous = apply_caution(outcome.results, verdicts)  # as the product does
        codes = [code for code, _score in ranked]
        if case["expected"] == "-":
            negatives += 1
            negatives_ok += not outcome.confident
            if outcome.confident:
                misses.append((case["query"], "-", codes[:3]))
            continue
        positives += 1
        expected = case["expected"].split("|")
        hit1 = bool(codes) and codes[0] in expected
        hit3 = any(code in expected for code in codes[:3])
        top1 += hit1
        top3 += hit3
        if codes:
            verdict_ok += verdicts[codes[0]] == verdicts[expected[0]]
            dangerous += verdicts[codes[0]] == "allowed" and verdicts[expected[0]] == "prohibited"
        if not hit1:
            misses.append((case["query"], case["expected"], codes[:3]))
    latencies.sort()
    result = {
        "cases": positives, "top1": top1 / positives, "top3": top3 / positives,
        "verdict": verdict_ok / positives, "allowed_for_prohibited": dangerous,
        "off_topic_rejected": f"{negatives_ok}/{negatives}",
        "search_p50_ms": latencies[len(latencies) // 2] * 1000, "search_max_ms": latencies[-1] * 1000,
    }
    if verbose:
        for query, expected, got in misses:
            print(f"  miss: {query!r}: expected {expected}, got {got}")
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    index, verdicts, build_s = build()
    result = evaluate(index, verdicts, verbose=args.verbose)
    print(f"index build: {build_s * 1000:.0f} ms for {len(verdicts)} behaviours")
    print(f"cases: {result['cases']} situations + off-topic {result['off_topic_rejected']} rejected")
    print(f"top-1: {result['top1']:.1%}   top-3: {result['top3']:.1%}   verdict of top-1: {result['verdict']:.1%}")
    print(f"'allowed' answered where the catalogue says 'prohibited': {result['allowed_for_prohibited']}")
    print(f"in-process search: p50 {result['search_p50_ms']:.2f} ms, max {result['search_max_ms']:.2f} ms")
    target = result["top3"] >= 0.9 and result["allowed_for_prohibited"] == 0
    print("targets (top-3 >= 90%, never 'allowed' for 'prohibited'):", "PASS" if target else "MISS")


if __name__ == "__main__":
    main()
