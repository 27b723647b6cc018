#!/usr/bin/env python3
"""The tables of docs/FINDINGS.md, regenerated from run outputs. Standard library only (Debian python3).

Usage:
  python3 docs/findings_tables.py extract RUN_DIR [RUN_DIR ...] --to docs/findings-runs
      Reads each `lethe demo --out` folder (metrics.jsonl, alerts.jsonl, checkpoints/*/*/stage-*.meta) of a
      findings campaign run with `--seed N` (campaign name `<campaign>-seed<N>`) and writes the per-seed,
      per-model, per-stage figures to `<to>/<campaign>.csv`, one file per campaign (rows of other seeds kept).
  python3 docs/findings_tables.py [docs/findings-runs]
      Prints every table of FINDINGS.md from those CSV files: per campaign the per-seed values, mean +- sd, and
      per comparison the paired differences by seed, their mean +- sd, a paired t-test, its 95 % interval, an
      exact sign-flip test and the sentence the interval allows.
  python3 docs/findings_tables.py [runs] RUN_DIR [RUN_DIR ...]
      Per-run tables of any demo output (dk accuracy by stage, FG, chance-normalised FG, ACC/BWT; no statistics).
"""
import csv
import json
import math
import re
import statistics
import sys
from itertools import product
from pathlib import Path

DK = "domain-knowledge"
ROB = "robustness"
COLUMNS = ["campaign", "seed", "model", "family", "stage", "training_step", "dk_pct", "dk_n", "dk_chance_pct",
           "dk_fg_pct", "dk_cn_fg_pct", "dk_final_drop_pct", "rob_pct", "rob_fg_pct", "rob_cn_fg_pct", "acc_pct",
           "bwt_pp", "alerts"]


# ---------------------------------------------------------------- statistics (no scipy: Debian python3 only)

def _betacf(a, b, x):
    """Continued fraction of the regularised incomplete beta function (Numerical Recipes, modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def betainc(a, b, x):
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    ln = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x)
    front = math.exp(ln)
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1 - x) / b


def t_two_sided_p(t, df):
    """P(|T| >= |t|) for Student's t with df degrees of freedom."""
    if math.isinf(t):
        return 0.0
    return betainc(df / 2.0, 0.5, df / (df + t * t))


def t_quantile(p, df):
    """The p-quantile (p > 0.5) of Student's t, by bisection on the two-sided tail."""
    lo, hi = 0.0, 1000.0
    target = 2 * (1 - p)
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_two_sided_p(mid, df) > target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def sign_flip_p(diffs):
    """Exact two-sided sign-flip (paired permutation) test of mean 0: the share of the 2^n sign patterns whose
    |mean| is at least the observed one. With 5 pairs it cannot go below 2/32 = 0.0625."""
    observed = abs(sum(diffs))
    count = 0
    total = 0
    for signs in product((1, -1), repeat=len(diffs)):
        total += 1
        if abs(sum(s * d for s, d in zip(signs, diffs))) >= observed - 1e-9:
            count += 1
    return count / total


def paired(diffs):
    """Mean, sd, t, df, two-sided p and 95 % interval of paired differences, plus the exact sign-flip p."""
    n = len(diffs)
    mean = statistics.mean(diffs)
    sd = statistics.stdev(diffs) if n > 1 else float("nan")
    df = n - 1
    se = sd / math.sqrt(n) if n > 1 else float("nan")
    if n < 2:
        t = p = lo = hi = float("nan")
    elif se == 0:
        t = math.copysign(math.inf, mean) if mean != 0 else 0.0
        p = 0.0 if mean != 0 else 1.0
        lo = hi = mean
    else:
        t = mean / se
        p = t_two_sided_p(t, df)
        q = t_quantile(0.975, df)
        lo, hi = mean - q * se, mean + q * se
    return {"n": n, "mean": mean, "sd": sd, "t": t, "df": df, "p": p, "lo": lo, "hi": hi,
            "flip_p": sign_flip_p(diffs) if n <= 16 else float("nan"),
            "pos": sum(1 for d in diffs if d > 0), "neg": sum(1 for d in diffs if d < 0)}


def slope(xs, ys):
    """Least-squares slope of ys on xs."""
    mx, my = statistics.mean(xs), statistics.mean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def sentence(s, what, unit, more, less):
    """The claim the 95 % interval allows, never firmer: a direction only when the interval excludes 0."""
    lo, hi, mean = s["lo"], s["hi"], s["mean"]
    stats = (f"{fmt(mean, 1)} {unit} on average, 95 % CI {fmt(lo)} to {fmt(hi)}, {s['pos']} of {s['n']} seeds "
             f"positive")
    if math.isnan(lo):
        return f"{what}: too few seeds for an interval."
    if lo > 0:
        return f"{what}: {more} ({stats}); the interval excludes 0 but allows anything from {fmt(lo)} to {fmt(hi)}."
    if hi < 0:
        return f"{what}: {less} ({stats}); the interval excludes 0 but allows anything from {fmt(lo)} to {fmt(hi)}."
    return (f"{what}: not resolved ({stats}); the interval includes 0: the runs fit no difference as well as any "
            f"from {fmt(lo)} to {fmt(hi)} {unit}.")


def binomial_tail(k, n, p):
    """P(X >= k), X ~ Binomial(n, p): how likely a model answering at random scores k of n or more."""
    return min(1.0, sum(math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
                                 + i * math.log(p) + (n - i) * math.log(1 - p)) for i in range(k, n + 1)))


def fmt(x, digits=1):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float) and math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = f"{x:.{digits}f}"
    return "0.0" if text in ("-0.0", "-0.00") else text.replace("-", "−")


def fmt_p(p):
    if p is None or math.isnan(p):
        return "–"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


# ---------------------------------------------------------------- extracting run outputs

def _jsonl(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def extract(run_dirs, to_dir):
    to_dir = Path(to_dir)
    to_dir.mkdir(parents=True, exist_ok=True)
    by_campaign = {}
    for run_dir in map(Path, run_dirs):
        records = _jsonl(run_dir / "metrics.jsonl")
        alerts = _jsonl(run_dir / "alerts.jsonl")
        if not records:
            sys.exit(f"{run_dir}: no metrics.jsonl records")
        name = records[0]["campaign"]
        m = re.fullmatch(r"(.+)-seed(\d+)", name)
        if not m:
            sys.exit(f"{run_dir}: campaign {name} was not run with --seed N")
        base, seed = m.group(1), int(m.group(2))
        cat = {(r["model"], r["stage"], r["category"]): r for r in records if r["scope"] == "CATEGORY"}
        mod = {(r["model"], r["stage"]): r for r in records if r["scope"] == "MODEL"}
        rows = []
        for (model, stage), r in sorted(mod.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            dk = cat.get((model, stage, DK), {})
            rob = cat.get((model, stage, ROB), {})
            meta = run_dir / "checkpoints" / name / model / f"stage-{stage}.meta"
            step = None
            if meta.exists():
                props = dict(line.split("=", 1) for line in meta.read_text().splitlines() if "=" in line)
                step = int(props["trainingStep"])
            rows.append({
                "campaign": base, "seed": seed, "model": model, "family": r["family"], "stage": stage,
                "training_step": step, "dk_pct": dk.get("score"), "dk_n": dk.get("n"),
                "dk_chance_pct": dk.get("chancePct"), "dk_fg_pct": dk.get("fgPct"),
                "dk_cn_fg_pct": dk.get("chanceNormalisedFgPct"), "dk_final_drop_pct": dk.get("finalDropPct"),
                "rob_pct": rob.get("score"), "rob_fg_pct": rob.get("fgPct"),
                "rob_cn_fg_pct": rob.get("chanceNormalisedFgPct"), "acc_pct": r.get("accPct"),
                "bwt_pp": r.get("bwtPp"),
                "alerts": sum(1 for a in alerts if a.get("model") == model and a.get("stage") == stage)})
        by_campaign.setdefault(base, {})[seed] = rows
    for base, seeds in by_campaign.items():
        path = to_dir / f"{base}.csv"
        kept = [r for r in read_csv(path) if int(r["seed"]) not in seeds] if path.exists() else []
        out = kept + [r for s in seeds for r in seeds[s]]
        out.sort(key=lambda r: (int(r["seed"]), r["model"], int(r["stage"])))
        with path.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
            w.writeheader()
            for r in out:
                w.writerow({k: _cell(r.get(k)) for k in COLUMNS})
        print(f"wrote {path} ({len(out)} rows, seeds {sorted({int(r['seed']) for r in out})})", file=sys.stderr)


def _cell(v):
    if v is None or v == "":
        return ""
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def read_csv(path):
    with Path(path).open() as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- the v2 tables

SEED_ORDER = [42, 7, 2024, 11, 99]


class Runs:
    """The rows of one campaign's CSV, indexed by (seed, model, stage)."""

    def __init__(self, path):
        self.rows = read_csv(path)
        self.campaign = self.rows[0]["campaign"]
        self.index = {(int(r["seed"]), r["model"], int(r["stage"])): r for r in self.rows}
        found = sorted({int(r["seed"]) for r in self.rows})
        self.seeds = [s for s in SEED_ORDER if s in found] + [s for s in found if s not in SEED_ORDER]
        self.models = []
        for r in self.rows:
            if r["model"] not in self.models:
                self.models.append(r["model"])
        preferred = ["mlp-128", "mlp-128-replay-mnist", "mlp-128-replay-own", "mlp-128-multitask"]
        found_order = list(self.models)
        self.models = sorted(found_order, key=lambda m: (preferred.index(m) if m in preferred else len(preferred),
                                                         found_order.index(m)))
        self.last = max(int(r["stage"]) for r in self.rows)

    def value(self, seed, model, stage, column):
        r = self.index.get((seed, model, stage))
        v = r and r[column]
        return float(v) if v not in (None, "") else None

    def values(self, model, stage, column):
        return [self.value(s, model, stage, column) for s in self.seeds]


def per_seed_table(runs, title, rows):
    """rows: (label, [value per seed]); prints the per-seed values, mean and sd."""
    out = [title, "", "| | " + " | ".join(f"seed {s}" for s in runs.seeds) + " | mean | sd |",
           "|---|" + "---|" * (len(runs.seeds) + 2)]
    for label, vals in rows:
        have = [v for v in vals if v is not None]
        mean = statistics.mean(have) if have else None
        sd = statistics.stdev(have) if len(have) > 1 else None
        out.append(f"| {label} | " + " | ".join(fmt(v) for v in vals) + f" | {fmt(mean)} | {fmt(sd)} |")
    return out + [""]


def comparison_table(runs, title, comparisons):
    """comparisons: (label, [difference per seed], unit, more, less); per-seed values, paired statistics, sentence."""
    out = [title, "", "| comparison | " + " | ".join(f"seed {s}" for s in runs.seeds)
           + " | mean ± sd | paired t (df) | p | 95 % CI | sign-flip p |",
           "|---|" + "---|" * (len(runs.seeds) + 5)]
    sentences = []
    for label, diffs, unit, more, less in comparisons:
        s = paired(diffs)
        out.append(f"| {label} | " + " | ".join(("+" if d > 0 else "") + fmt(d) for d in diffs)
                   + f" | {fmt(s['mean'])} ± {fmt(s['sd'])} | {fmt(s['t'], 2)} ({s['df']}) | {fmt_p(s['p'])}"
                   + f" | {fmt(s['lo'])} to {fmt(s['hi'])} | {fmt_p(s['flip_p'])} |")
        sentences.append(f"- {sentence(s, label, unit, more, less)}")
    return out + [""] + sentences + [""]


def diff(runs, a, b, stage, column):
    return [runs.value(s, a, stage, column) - runs.value(s, b, stage, column) for s in runs.seeds]


def width_of(model):
    m = re.search(r"(\d+)$", model)
    return int(m.group(1)) if m else None


def scale_tables(runs):
    last, models = runs.last, runs.models
    models = sorted(models, key=width_of)
    out = [f"#### {runs.campaign}: stage-0 knowledge, collapse check and forgetting by width", ""]
    out += per_seed_table(runs, "Domain-knowledge accuracy after stage 0 (percent; the precondition: larger "
                          "models know more):", [(m, runs.values(m, 0, "dk_pct")) for m in models])
    lowest = [(m, [min(runs.value(s, m, k, "dk_pct") for k in range(last + 1)) for s in runs.seeds])
              for m in models]
    out += per_seed_table(runs, f"Lowest domain-knowledge accuracy over stages 0–{last} (percent; chance is "
                          f"{fmt(runs.value(runs.seeds[0], models[0], 0, 'dk_chance_pct'))} %: no width may collapse "
                          "to it):", lowest)
    worst = min(((runs.value(s_, m, k, "dk_pct"), m, s_, k) for m in models for s_ in runs.seeds
                 for k in range(last + 1)))
    n = int(runs.value(worst[2], worst[1], worst[3], "dk_n"))
    chance = runs.value(worst[2], worst[1], worst[3], "dk_chance_pct")
    out += [f"The lowest of all: {fmt(worst[0])} % ({worst[1]}, seed {worst[2]}, stage {worst[3]}; chance "
            f"{fmt(chance)} %), P(a model answering at random scores that or more on its {n} items) = "
            f"{binomial_tail(round(worst[0] * n / 100), n, chance / 100):.1e}.", ""]
    out += per_seed_table(runs, f"Chance-normalised FG of domain knowledge at stage {last} (percent of the margin "
                          "above chance lost):", [(m, runs.values(m, last, "dk_cn_fg_pct")) for m in models])
    out += per_seed_table(runs, f"Luo's FG of domain knowledge at stage {last} (percent):",
                          [(m, runs.values(m, last, "dk_fg_pct")) for m in models])
    logw = [math.log2(width_of(m)) for m in models]

    def slopes(stage, column):
        return [slope(logw, [runs.value(s, m, stage, column) for m in models]) for s in runs.seeds]

    small, big = models[0], models[-1]
    grows, shrinks = "larger widths score higher", "larger widths score lower"
    more, less = "larger widths forgot more", "larger widths forgot less"
    comps = [("stage-0 accuracy, slope per doubling of width (pp)", slopes(0, "dk_pct"), "pp", grows, shrinks)]
    for lo_m, hi_m in zip(models, models[1:]):
        comps.append((f"stage-0 accuracy, {hi_m} − {lo_m}", diff(runs, hi_m, lo_m, 0, "dk_pct"), "pp",
                      f"{hi_m} knows more", f"{hi_m} knows less"))
    comps += [
        ("chance-normalised FG, slope per doubling of width (pp)", slopes(last, "dk_cn_fg_pct"), "pp", more, less),
        (f"chance-normalised FG, {big} − {small}", diff(runs, big, small, last, "dk_cn_fg_pct"), "pp",
         f"{big} forgot more", f"{big} forgot less"),
        ("Luo's FG, slope per doubling of width (pp)", slopes(last, "dk_fg_pct"), "pp", more, less),
        (f"Luo's FG, {big} − {small}", diff(runs, big, small, last, "dk_fg_pct"), "pp", f"{big} forgot more",
         f"{big} forgot less"),
    ]
    out += comparison_table(runs, "Paired by seed (slopes: least squares over log2 width within each seed):", comps)
    return out


ARCH_PAIRS = [("cnn-16", "mlp-128"), ("cnn-8", "mlp-64")]  # a CNN and the MLP of similar parameter count


def arch_tables(runs):
    last = runs.last
    pairs = [(c, m) for c, m in ARCH_PAIRS if c in runs.models and m in runs.models]
    names = " and ".join(f"{c} against {m}" for c, m in pairs)
    out = [f"#### {runs.campaign}: {names} on the split protocol", ""]
    models = [m for pair in pairs for m in reversed(pair)]
    out += per_seed_table(runs, "Domain-knowledge accuracy (percent) after stage 0 and at the last stage, the "
                          "floor being the last stage's two classes (20 %):",
                          [(f"{m} stage {k}", runs.values(m, k, "dk_pct")) for m in models for k in (0, last)])
    out += per_seed_table(runs, f"Forgetting of domain knowledge at stage {last} (percent), GEM ACC/BWT over the "
                          "task elements:",
                          [(f"{m} {label}", runs.values(m, last, col)) for m in models
                           for label, col in (("chance-normalised FG", "dk_cn_fg_pct"), ("FG", "dk_fg_pct"),
                                              ("ACC %", "acc_pct"), ("BWT pp", "bwt_pp"))])
    comps = []
    for cnn, mlp in pairs:
        comps += [
            (f"stage-0 accuracy, {cnn} − {mlp}", diff(runs, cnn, mlp, 0, "dk_pct"), "pp", f"the {cnn} knows more",
             f"the {cnn} knows less"),
            (f"chance-normalised FG, {cnn} − {mlp}", diff(runs, cnn, mlp, last, "dk_cn_fg_pct"), "pp",
             f"the {cnn} forgot more", f"the {cnn} forgot less"),
            (f"Luo's FG, {cnn} − {mlp}", diff(runs, cnn, mlp, last, "dk_fg_pct"), "pp", f"the {cnn} forgot more",
             f"the {cnn} forgot less"),
            (f"BWT, {cnn} − {mlp}", diff(runs, cnn, mlp, last, "bwt_pp"), "pp",
             f"the {cnn} forgot less of the fine-tuning tasks", f"the {cnn} forgot more of the fine-tuning tasks"),
        ]
    out += comparison_table(runs, "Paired by seed:", comps)
    return out


def replay_tables(runs):
    last = runs.last
    base = "mlp-128"
    others = [m for m in runs.models if m != base]
    order = [base] + others
    out = [f"#### {runs.campaign}: replay from disjoint data and a multi-task stage 0, against {base}", ""]
    steps = []
    for m in order:
        per_stage = []
        for k in range(last + 1):
            vals = {runs.value(s, m, k, "training_step") - (runs.value(s, m, k - 1, "training_step") if k else 0)
                    for s in runs.seeds if runs.value(s, m, k, "training_step") is not None}
            per_stage.append("/".join(str(int(v)) for v in sorted(vals)) if vals else "–")
        steps.append(f"| {m} | " + " | ".join(per_stage) + " |")
    out += ["Optimizer steps per stage (from the checkpoints' trainingStep; the same in every seed where one "
            "number is shown):", "", "| model | " + " | ".join(f"stage {k}" for k in range(last + 1)) + " |",
            "|---|" + "---|" * (last + 1)] + steps + [""]
    out += per_seed_table(runs, "Domain-knowledge accuracy (percent) after stage 0 and at the last stage:",
                          [(f"{m} stage {k}", runs.values(m, k, "dk_pct")) for m in order for k in (0, last)])
    out += per_seed_table(runs, f"Chance-normalised FG of domain knowledge at stage {last} (percent):",
                          [(m, runs.values(m, last, "dk_cn_fg_pct")) for m in order])
    out += per_seed_table(runs, f"Luo's FG of domain knowledge at stage {last} (percent):",
                          [(m, runs.values(m, last, "dk_fg_pct")) for m in order])
    comps = []
    for m in others:
        comps.append((f"chance-normalised FG, {m} − {base}", diff(runs, m, base, last, "dk_cn_fg_pct"), "pp",
                      f"{m} forgot more", f"{m} forgot less"))
        comps.append((f"Luo's FG, {m} − {base}", diff(runs, m, base, last, "dk_fg_pct"), "pp",
                      f"{m} forgot more", f"{m} forgot less"))
    for m in others:
        comps.append((f"stage-0 accuracy, {m} − {base}", diff(runs, m, base, 0, "dk_pct"), "pp",
                      f"{m} knows more after stage 0", f"{m} knows less after stage 0"))
    out += comparison_table(runs, "Paired by seed:", comps)
    return out


def v1_tables(runs):
    """The v1 default campaign's comparisons, from its published per-seed FG (default-v1.csv, transcribed from
    FINDINGS v1: the runs themselves were not kept), under the v2 statistics."""
    last = runs.last
    out = [f"#### default (v1): domain-knowledge FG at stage {last} under the v2 statistics", ""]
    comps = [
        ("Luo's FG, mlp-512 − mlp-32", diff(runs, "mlp-512", "mlp-32", last, "dk_fg_pct"), "pp",
         "mlp-512 forgot more", "mlp-512 forgot less"),
        ("Luo's FG, cnn-16 − mlp-128", diff(runs, "cnn-16", "mlp-128", last, "dk_fg_pct"), "pp",
         "cnn-16 forgot more", "cnn-16 forgot less"),
        ("Luo's FG, mlp-128-replay − mlp-128", diff(runs, "mlp-128-replay", "mlp-128", last, "dk_fg_pct"), "pp",
         "the replay run forgot more", "the replay run forgot less"),
    ]
    return out + comparison_table(runs, "Paired by seed:", comps)


def v2(runs_dir):
    runs_dir = Path(runs_dir)
    lines = []
    makers = {"findings-scale": scale_tables, "findings-arch": arch_tables, "findings-arch-check": arch_tables,
              "findings-replay": replay_tables, "default-v1": v1_tables}
    for name, make in makers.items():
        path = runs_dir / f"{name}.csv"
        if path.exists():
            lines += make(Runs(path))
    print("\n".join(lines))


# ---------------------------------------------------------------- the v1 per-run tables

def v1_runs(run_dirs):
    for run_dir in run_dirs:
        records = _jsonl(Path(run_dir) / "metrics.jsonl")
        alerts = _jsonl(Path(run_dir) / "alerts.jsonl")
        cat = {(r["model"], r["stage"], r["category"]): r for r in records if r["scope"] == "CATEGORY"}
        mod = {(r["model"], r["stage"]): r for r in records if r["scope"] == "MODEL"}
        models = []
        for r in records:
            if r["scope"] == "MODEL" and r["model"] not in models:
                models.append(r["model"])
        stages = sorted({r["stage"] for r in records if r["scope"] == "MODEL"})
        last = stages[-1]
        print(f"### {run_dir}\n")
        print("| model | " + " | ".join(f"dk stage {s}" for s in stages)
              + " | FG dk | chance-normalised FG dk | FG robustness | ACC % | BWT pp | alerts |")
        print("|---|" + "---|" * (len(stages) + 6))
        for m in models:
            dk = cat.get((m, last, DK), {})
            rob = cat.get((m, last, ROB), {})
            mo = mod.get((m, last), {})
            print(f"| {m} | " + " | ".join(fmt(cat.get((m, s, DK), {}).get("score")) for s in stages)
                  + f" | {fmt(dk.get('fgPct'))} | {fmt(dk.get('chanceNormalisedFgPct'))} | {fmt(rob.get('fgPct'))}"
                  + f" | {fmt(mo.get('accPct'))} | {fmt(mo.get('bwtPp'))}"
                  + f" | {sum(1 for a in alerts if a.get('model') == m)} |")
        print()


def main(argv):
    if argv and argv[0] in ("-h", "--help"):
        sys.exit(__doc__)
    if argv and argv[0] == "extract":
        if "--to" not in argv:
            sys.exit("extract needs --to DIR\n" + __doc__)
        i = argv.index("--to")
        extract(argv[1:i] + argv[i + 2:], argv[i + 1])
    elif argv and argv[0] == "runs":
        v1_runs(argv[1:])
    elif argv and (Path(argv[0]) / "metrics.jsonl").exists():
        v1_runs(argv)  # demo folders given directly, as FINDINGS v1 did
    else:
        v2(argv[0] if argv else Path(__file__).resolve().parent / "findings-runs")


if __name__ == "__main__":
    main(sys.argv[1:])
