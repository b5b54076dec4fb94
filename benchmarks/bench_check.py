"""How long `rewritelab check` takes with default settings.

Run: ``./dev bench bench_check.py``. Times, in one process after a warm-up
(imports, PyTensor's compilation cache): the whole shipped library as
``rewritelab check rewrites/`` does it, the slowest single rule, and the
corpus of deliberately wrong and correct rewrites in tests/corpus. Goals:
library <= 60 s, one rule <= 10 s. Figures go to benchmarks/results/check.json.
"""

import json
import time
from pathlib import Path

import rewritelab as rl
from rewritelab.check.rules import check_rules

ROOT = Path(__file__).resolve().parents[1]


def timed(rules) -> tuple[float, list]:
    t = time.perf_counter()
    reports = check_rules(rules)
    return time.perf_counter() - t, list(reports)


def main() -> dict:
    lib = rl.library()
    check_rules(lib.select(names=["log_of_exp"]), max_examples=5)  # warm-up
    lib_s, lib_reports = timed(lib)
    corpus = rl.load(ROOT / "tests" / "corpus")
    corpus_s, corpus_reports = timed(corpus)
    wrong = set(rl.load(ROOT / "tests" / "corpus" / "wrong.py").names)
    caught = sum(
        r.verdict == "counterexample" for r in corpus_reports if r.rule in wrong
    )
    passed = sum(r.verdict == "passed" for r in corpus_reports if r.rule not in wrong)
    slowest = max(lib_reports + corpus_reports, key=lambda r: r.seconds)
    return {
        "library_rules": len(lib),
        "library_s": lib_s,
        "library_verdicts": {r.rule: r.verdict for r in lib_reports},
        "slowest_rule": slowest.rule,
        "slowest_rule_s": slowest.seconds,
        "corpus_s": corpus_s,
        "wrong_caught": f"{caught}/{len(wrong)}",
        "correct_passed": f"{passed}/{len(corpus) - len(wrong)}",
    }


if __name__ == "__main__":
    r = main()
    path = Path(__file__).parent / "results" / "check.json"
    path.write_text(json.dumps(r, indent=2))
    print(
        f"library ({r['library_rules']} rules): {r['library_s']:.1f} s (goal <= 60 s); "
        f"slowest rule {r['slowest_rule']} {r['slowest_rule_s']:.1f} s (goal <= 10 s); "
        f"corpus {r['corpus_s']:.1f} s, wrong caught {r['wrong_caught']}, "
        f"correct passed {r['correct_passed']}"
    )
