"""Statistics over the per-round times of a benchmark row (pure Python, no framework).

A row's rounds are ``stats.data`` in pytest-benchmark's JSON: one per-call time per round
(the round's duration divided by its calls). From them:

* :func:`median_ci` — a percentile-bootstrap confidence interval for the median (a fixed
  seed, so the same rounds always give the same interval);
* :func:`rel_iqr` — the interquartile range over the median, the row's relative spread;
* :func:`noise_allowance` — what spread the machine allows in this run: ``ALLOWANCE_FACTOR``
  times the relative spread of the GEMM yardstick timed in the same run, never below
  ``ALLOWANCE_FLOOR`` (a sub-millisecond op jitters more than a long GEMM even on an
  idle machine). A row above it is *noisy*: its median is not a confident figure;
* :func:`slower_p` — a one-sided Mann–Whitney U test that NEW's rounds are larger than
  OLD's rounds scaled by ``1 + max_slowdown``: the gate's question is "slower by more
  than the threshold", not "different";
* :func:`verdict` — ``slower`` / ``faster`` / ``same`` / ``inconclusive`` for a pair of rows
  from the rounds of one process each (the fallback for rows without process samples);
* :func:`process_verdict` — the gate proper, from one median per fresh process in each
  run, calibrated by how far identical code moves on this machine (see its block below);
* :func:`instruction_verdict` — the gate on instructions per call (``bench --instructions``).

Rounds within one run drift together (load, frequency), so the test's p-value is a
screen, not a calibrated probability; that is why the threshold shift is inside the
test: "slower" needs evidence that the slowdown *exceeds* the threshold, so drift smaller
than the threshold is not a regression however many rounds show it.
"""

from __future__ import annotations

import math
import random
import statistics

ALPHA = 0.05  # one-sided, of "beyond the threshold" (the threshold shift is inside the test)
ALPHA_NOISY = 0.01  # for a noisy row: its rounds come in bursts (load), so p is optimistic
ALLOWANCE_FLOOR = 0.10  # relative IQR a row may always have
ALLOWANCE_FACTOR = 2.0  # × the GEMM yardstick's relative IQR in the same run
BOOTSTRAP = 2000
LEVEL = 0.95
EXACT_MAX = 40  # exact U distribution when len(x) + len(y) <= this


def quartiles(data) -> tuple[float, float, float]:
    """(q1, median, q3): the medians of the lower and upper halves (Tukey's hinges)."""
    s = sorted(data)
    if not s:
        raise ValueError("no rounds")
    n = len(s)
    half = n // 2
    lower, upper = s[:half] or s, s[n - half:] or s
    return statistics.median(lower), statistics.median(s), statistics.median(upper)


def rel_iqr(data) -> float:
    q1, med, q3 = quartiles(data)
    return (q3 - q1) / med if med > 0 else math.inf


def median_ci(data, level: float = LEVEL, resamples: int = BOOTSTRAP, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the median over rounds (deterministic)."""
    xs = list(data)
    if len(xs) < 2:
        return (xs[0], xs[0]) if xs else (math.nan, math.nan)
    rng = random.Random(seed)
    n = len(xs)
    meds = sorted(statistics.median(rng.choices(xs, k=n)) for _ in range(resamples))
    tail = (1 - level) / 2
    lo = meds[int(math.floor(tail * (resamples - 1)))]
    hi = meds[int(math.ceil((1 - tail) * (resamples - 1)))]
    return lo, hi


def noise_allowance(yardstick_rel_iqr: float | None) -> float:
    if yardstick_rel_iqr is None or not math.isfinite(yardstick_rel_iqr):
        return ALLOWANCE_FLOOR
    return max(ALLOWANCE_FLOOR, ALLOWANCE_FACTOR * yardstick_rel_iqr)


# -- Mann–Whitney U ----------------------------------------------------------------------

def u_statistic(x, y) -> float:
    """#{(i, j): x_i > y_j} + ½ #{x_i == y_j}, by ranks (O((n+m) log(n+m)))."""
    pooled = sorted([(v, 0) for v in x] + [(v, 1) for v in y])
    ranks_x, i = 0.0, 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        mid = (i + j) / 2 + 1  # mid-rank of the tie group
        ranks_x += mid * sum(1 for k in range(i, j + 1) if pooled[k][1] == 0)
        i = j + 1
    n = len(x)
    return ranks_x - n * (n + 1) / 2


def _exact_upper_tail(n: int, m: int, u: float) -> float:
    """P(U >= u) under H0 without ties: counts of arrangements by U (recurrence
    f(n, m, u) = f(n-1, m, u-m) + f(n, m-1, u))."""
    # f[j][k]: arrangements of i x's and j y's with U == k, built up over i.
    size = n * m + 1
    f = [[1] + [0] * (size - 1) for _ in range(m + 1)]  # i = 0: U is 0
    for i in range(1, n + 1):
        g = [[0] * size for _ in range(m + 1)]
        g[0][0] = 1
        for j in range(1, m + 1):
            prev_i, row_j = f[j], g[j - 1]
            cur = g[j]
            for k in range(size):
                # last element an x (above all j y's: adds j) or a y
                cur[k] = (prev_i[k - j] if k >= j else 0) + row_j[k]
        f = g
    counts = f[m]
    total = math.comb(n + m, n)
    k0 = math.ceil(u - 1e-9)
    return sum(counts[k0:]) / total


def greater_p(x, y) -> float:
    """One-sided p-value of H0 "x is not stochastically larger than y" (Mann–Whitney U):
    exact without ties for small samples, else normal with tie and continuity corrections."""
    n, m = len(x), len(y)
    if n == 0 or m == 0:
        return math.nan
    u = u_statistic(x, y)
    pooled = list(x) + list(y)
    ties = len(set(pooled)) != len(pooled)
    if n + m <= EXACT_MAX and not ties:
        return _exact_upper_tail(n, m, u)
    counts: dict = {}
    for v in pooled:
        counts[v] = counts.get(v, 0) + 1
    N = n + m
    tie_term = sum(t**3 - t for t in counts.values()) / (N * (N - 1))
    sd = math.sqrt(n * m / 12 * ((N + 1) - tie_term))
    if sd == 0:
        return 1.0
    z = (u - n * m / 2 - 0.5) / sd
    return 0.5 * math.erfc(z / math.sqrt(2))


def slower_p(old, new, max_slowdown: float) -> float:
    """p of H0 "NEW is at most (1 + max_slowdown) × OLD" against "NEW is slower than that"."""
    return greater_p(list(new), [v * (1 + max_slowdown) for v in old])


def faster_p(old, new, max_slowdown: float) -> float:
    """p of H0 "NEW is at least OLD / (1 + max_slowdown)" against "NEW is faster than that"."""
    return greater_p([v / (1 + max_slowdown) for v in old], list(new))


def verdict(old, new, max_slowdown: float, alpha: float = ALPHA,
            allowance: float = ALLOWANCE_FLOOR) -> dict:
    """The gate for one row from both runs' rounds (per-call seconds per round).

    ``slower``: the median ratio NEW/OLD exceeds ``1 + max_slowdown`` *and* the rank
    test says NEW's rounds are larger than OLD's scaled by that factor: p < ``alpha``, or
    p < ``ALPHA_NOISY`` for a noisy row (either run's relative IQR above the noise
    ``allowance``: its slow rounds come in bursts, not independently, so its p-value is
    optimistic). ``inconclusive``: the ratio exceeds the threshold but the rounds do not
    show it; ``faster`` symmetrically; ``same`` otherwise."""
    mo, mn = statistics.median(old), statistics.median(new)
    ratio = mn / mo if mo > 0 else math.inf
    noisy = max(rel_iqr(old), rel_iqr(new)) > allowance
    out = {"ratio": ratio, "p": None, "noisy": noisy, "alpha": min(alpha, ALPHA_NOISY) if noisy else alpha}
    if not (ratio > 1 + max_slowdown or ratio < 1 / (1 + max_slowdown)):
        out["verdict"] = "same"
        return out
    up = ratio > 1
    out["p"] = (slower_p if up else faster_p)(old, new, max_slowdown)
    out["verdict"] = ("slower" if up else "faster") if out["p"] < out["alpha"] else "inconclusive"
    return out


# -- process-level samples (the gate) -----------------------------------------------------
#
# A row timed in several fresh processes per run has one median per process. Identical
# code moves between processes (layout, thread placement, load over seconds) far more than
# between the rounds of one process, so the gate decides from those medians, in logs:
#
#   d    = mean(log NEW medians) − mean(log OLD medians)              (the row's log ratio)
#   s    = max(the row's pooled sd across processes, the machine's)   (process noise)
#   band = Z · s · √(1/n + 1/m) + drift                               (how far identical
#          code moves between two runs on this machine today)
#
# The machine's spread (the median row's, well estimated from every row) is the floor of
# s: one row's spread, estimated from 10 values, can be small by chance.
# ``drift`` is the A/A calibration: how far rows that did not change moved between the two
# runs — the yardstick rows both runs carry (the GEMMs; their whole move), the shift
# all rows share when no yardstick rules it out (``machine_drift``: a loaded machine slows
# every row at once), or the rows of an A/A pair given explicitly (``compare --calibrate
# A1 A2``). A row is ``slower`` when
# exp(d) exceeds 1 + max_slowdown *and* d exceeds the band; beyond the threshold but inside
# the band it is ``inconclusive`` (not a failure: the machine cannot tell today); ``faster``
# symmetrically.

Z = 4.0  # one-sided normal tail 3e-5 per row: a thousand row comparisons stay quiet
MIN_PROCESSES = 2  # per run; with one, that run's spread is unknown: beyond the threshold is inconclusive


def _logs(meds) -> list[float]:
    return [math.log(v) for v in meds if v and v > 0]


def pooled_sd(a, b) -> float | None:
    """Pooled standard deviation of two samples (logs) — a side with one value adds no
    degrees of freedom; None when neither side has two."""
    df = max(0, len(a) - 1) + max(0, len(b) - 1)
    if df < 1:
        return None
    ss = sum((v - statistics.fmean(x)) ** 2 for x in (a, b) if x for v in x)
    return math.sqrt(ss / df)


def machine_spread(pairs) -> float:
    """The machine's process-to-process spread today: the median, over rows, of each row's
    pooled sd of log process medians (``pairs``: [(old medians, new medians)])."""
    sds = [s for s in (pooled_sd(_logs(a), _logs(b)) for a, b in pairs) if s is not None]
    return statistics.median(sds) if sds else 0.0


def drift(pairs, z: float = Z) -> float:
    """How far rows that did not change moved between the runs beyond their own process
    noise: the largest |log ratio| − z · standard error over ``pairs`` (yardstick rows, or
    an A/A pair's rows); a row with one process per run counts whole."""
    moves = []
    for a, b in pairs:
        a, b = _logs(a), _logs(b)
        if a and b:
            sd = pooled_sd(a, b) or 0.0
            moves.append(max(0.0, abs(statistics.fmean(b) - statistics.fmean(a))
                             - z * sd * math.sqrt(1 / len(a) + 1 / len(b))))
    return max(moves, default=0.0)


def common_shift(pairs) -> float:
    """The shift every row shares between the runs: the median over rows of the log ratio
    of mean log samples (one regressed op among many does not move it)."""
    ds = [statistics.fmean(_logs(b)) - statistics.fmean(_logs(a)) for a, b in pairs if _logs(a) and _logs(b)]
    return statistics.median(ds) if ds else 0.0


def machine_drift(pairs, yardsticks, z: float = Z) -> float:
    """The A/A drift of the gate's band (logs): the yardsticks' whole move, and the shift
    all rows share unless a yardstick rules it out — a yardstick
    whose interval (its log ratio ± z standard errors) excludes the shared shift says the
    machine did not move that much, so the rows' shared shift is the code's (a change that
    slows everything is then still decided); a noisy yardstick cannot, so the shared shift
    counts as the machine's."""
    shift = common_shift(pairs) if len(pairs) >= 3 else 0.0
    ruled_out = False
    for a, b in yardsticks:
        a, b = _logs(a), _logs(b)
        if a and b:
            se = (pooled_sd(a, b) or 0.0) * math.sqrt(1 / len(a) + 1 / len(b))
            ruled_out |= abs(statistics.fmean(b) - statistics.fmean(a) - shift) > z * se
    # the yardsticks' whole move, noise and all: a multi-threaded GEMM on an oversubscribed
    # machine moves far more than a one-pass elementwise op, and the rows like it with it
    return max(drift(yardsticks, 0.0), 0.0 if ruled_out else abs(shift))


def process_verdict(old_meds, new_meds, max_slowdown: float, *, machine_sd: float = 0.0,
                    drift_log: float = 0.0, z: float = Z) -> dict:
    """``slower`` / ``faster`` / ``same`` / ``inconclusive`` for one row from its
    per-process medians in both runs (see the block comment above)."""
    a, b = _logs(old_meds), _logs(new_meds)
    d = statistics.fmean(b) - statistics.fmean(a)
    sd = max(pooled_sd(a, b) or 0.0, machine_sd)
    band = z * sd * math.sqrt(1 / len(a) + 1 / len(b)) + drift_log
    out = {"ratio": math.exp(d), "band": math.exp(band) - 1, "sd": sd, "drift": math.exp(drift_log) - 1,
           "n": (len(a), len(b))}
    limit = math.log1p(max_slowdown)
    if abs(d) <= limit:
        out["verdict"] = "same"
    elif abs(d) <= band:
        out["verdict"] = "inconclusive"
    else:
        out["verdict"] = "slower" if d > 0 else "faster"
    return out


# -- instruction counts --------------------------------------------------------------------

JITTER_FACTOR = 3.0  # × the counts' own jitter (N, 2N, 3N regions) of both runs
JITTER_FLOOR = 0.01  # identical code's counts may move this much between runs (allocator, layout)


def instruction_verdict(old: dict, new: dict, max_slowdown: float) -> dict:
    """The gate on instructions per call (``{"per_call", "jitter"}`` of each run): slower
    when NEW/OLD exceeds 1 + max_slowdown and the change exceeds what the counts' jitter
    allows; inconclusive when the jitter is as large as the change."""
    ratio = new["per_call"] / old["per_call"] if old["per_call"] > 0 else math.inf
    band = max(JITTER_FLOOR, JITTER_FACTOR * (old.get("jitter", 0.0) + new.get("jitter", 0.0)))
    out = {"ratio": ratio, "band": band}
    if abs(math.log(ratio)) <= math.log1p(max_slowdown):
        out["verdict"] = "same"
    elif abs(ratio - 1) <= band:
        out["verdict"] = "inconclusive"
    else:
        out["verdict"] = "slower" if ratio > 1 else "faster"
    return out
