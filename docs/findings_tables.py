#!/usr/bin/env python3
"""Prints the tables of docs/FINDINGS.md from the metrics.jsonl (and alerts.jsonl) of one or more demo runs.

Usage: python3 docs/findings_tables.py RUN_DIR [RUN_DIR ...]
Each RUN_DIR is a `lethe demo --out` folder. With several runs (e.g. the same campaign with other seeds) the last
table gives the mean and sample standard deviation over runs.
"""
import json
import statistics
import sys
from pathlib import Path

CATEGORY_ORDER = ["domain-knowledge", "robustness", "task"]


def load(run_dir):
    records = [json.loads(line) for line in (Path(run_dir) / "metrics.jsonl").read_text().splitlines() if line.strip()]
    alerts_file = Path(run_dir) / "alerts.jsonl"
    alerts = [json.loads(l) for l in alerts_file.read_text().splitlines() if l.strip()] if alerts_file.exists() else []
    return records, alerts


def fmt(x, digits=1):
    return "–" if x is None else f"{x:.{digits}f}"


def models_in_order(records):
    seen = []
    for r in records:
        if r["scope"] == "MODEL" and r["model"] not in seen:
            seen.append(r["model"])
    return seen


def by_key(records, scope):
    return {(r.get("model"), r.get("family"), r["stage"], r.get("category"), r.get("benchmark")): r
            for r in records if r["scope"] == scope}


def categories(records):
    found = {r["category"] for r in records if r["scope"] == "CATEGORY"}
    return [c for c in CATEGORY_ORDER if c in found] + sorted(found - set(CATEGORY_ORDER))


def run_tables(run_dir):
    records, alerts = load(run_dir)
    cats = categories(records)
    cat = by_key(records, "CATEGORY")
    model = by_key(records, "MODEL")
    models = models_in_order(records)
    family_of = {r["model"]: r["family"] for r in records if r["scope"] == "MODEL"}
    stages = sorted({r["stage"] for r in records if r["scope"] == "MODEL"})
    last = stages[-1]
    out = [f"### {run_dir}", ""]

    out += ["Domain-knowledge accuracy by stage (percent; stage 0 = after general training):", ""]
    out += ["| model | family | " + " | ".join(f"stage {s}" for s in stages) + " |",
            "|---|---|" + "---|" * len(stages)]
    for m in models:
        row = [cat.get((m, family_of[m], s, "domain-knowledge", None)) for s in stages]
        out.append(f"| {m} | {family_of[m]} | " + " | ".join(fmt(r and r["score"]) for r in row) + " |")
    out.append("")

    # FG of the task category is left out: its stage-0 baseline is chance level (stage 0 never saw the permutations),
    # so (R0 - Rs) / R0 there measures learning, not forgetting; GEM ACC/BWT is the right lens on task elements
    cats = [c for c in cats if c != "task"]
    out += [f"Running FG (Luo et al.) per category at stage {last}, final drop and Chaudhry's max forgetting of "
            "domain knowledge, GEM ACC/BWT over the task elements:", ""]
    out += ["| model | " + " | ".join(f"FG {c}" for c in cats)
            + " | final drop dk % | max forgetting dk pp | ACC % | BWT pp | alerts |",
            "|---|" + "---|" * (len(cats) + 5)]
    for m in models:
        f = family_of[m]
        fgs = [cat.get((m, f, last, c, None)) for c in cats]
        dk = cat.get((m, f, last, "domain-knowledge", None))
        mo = model.get((m, f, last, None, None))
        n_alerts = sum(1 for a in alerts if a.get("model") == m)
        out.append(f"| {m} | " + " | ".join(fmt(r and r["fgPct"]) for r in fgs)
                   + f" | {fmt(dk and dk['finalDropPct'])} | {fmt(dk and dk['maxForgettingPp'])}"
                   + f" | {fmt(mo and mo['accPct'])} | {fmt(mo and mo['bwtPp'])} | {n_alerts} |")
    out.append("")

    fam = [r for r in records if r["scope"] == "FAMILY" and r["stage"] == last and r["category"] in cats]
    if fam:
        out += [f"FAMILY records at stage {last} (mean over the family's runs):", ""]
        out += ["| family | category | runs | FG % |", "|---|---|---|---|"]
        for r in sorted(fam, key=lambda r: (r["family"], cats.index(r["category"]) if r["category"] in cats else 99)):
            out.append(f"| {r['family']} | {r['category']} | {r.get('models')} | {fmt(r['fgPct'])} |")
        out.append("")
    return out, {(m, c): cat.get((m, family_of[m], last, c, None)) for m in models for c in cats}


def main(run_dirs):
    lines = []
    finals = []
    for d in run_dirs:
        tables, final = run_tables(d)
        lines += tables
        finals.append(final)
    if len(finals) > 1:
        lines += [f"FG at the last stage over the {len(finals)} runs (sd: sample standard deviation over runs):", ""]
        lines += ["| model | category | " + " | ".join(f"run {i + 1}" for i in range(len(finals))) + " | mean | sd |",
                  "|---|---|" + "---|" * (len(finals) + 2)]
        for (m, c) in sorted(finals[0], key=lambda k: (k[1], list(finals[0]).index(k))):
            values = [f[(m, c)]["fgPct"] for f in finals if f.get((m, c))]
            sd = statistics.stdev(values) if len(values) > 1 else None
            lines.append(f"| {m} | {c} | " + " | ".join(fmt(v) for v in values)
                         + f" | {fmt(statistics.mean(values))} | {fmt(sd)} |")
        lines.append("")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
