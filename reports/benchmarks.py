"""The benchmark section of the report, read from pytest-benchmark's JSON (bench.json).

Each benchmark's ``extra_info`` (written by ``conformance/bench``) says what was timed:
``bench_id``, ``kind`` (``module``, ``scaling`` or ``gemm``), module, framework, device,
dtype, mode, ``pass`` (``forward`` or ``forward+vjp``), shapes, ``flops``, threads and
``compile_s``. Times are pytest-benchmark's per-call statistics; the report quotes the
median and the IQR. GFLOP/s and the fraction of the GEMM ceiling appear where FLOPs are
counted (modules with weight matrices or kernels); the ceiling is the same framework's
large float32/float64 GEMM measured in the same run at the same thread count.
"""

from __future__ import annotations

import json
from collections import defaultdict
from html import escape
from pathlib import Path

from .bench_noise import annotate, noise_note
from .svg import bar_chart, line_chart, seconds

PASS_SHORT = {"forward": "fwd", "forward+vjp": "fwd+vjp"}


def load_bench(path) -> dict:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or "benchmarks" not in doc:
        raise ValueError(f"{path} is not a pytest-benchmark JSON file (no 'benchmarks')")
    return doc


def rows(bench: dict) -> list[dict]:
    """One flat row per benchmark, with the GEMM ceiling resolved."""
    out = []
    for b in bench.get("benchmarks", []):
        info, st = b.get("extra_info") or {}, b.get("stats") or {}
        out.append({**info, "bench_id": info.get("bench_id") or b.get("fullname") or b.get("name"),
                    "median": st.get("median"), "q1": st.get("q1"), "q3": st.get("q3"),
                    "iqr": st.get("iqr"), "rounds": st.get("rounds"),
                    "iterations": st.get("iterations") or info.get("iterations"),
                    "min": st.get("min"), "mean": st.get("mean"), "data": st.get("data")})
    ceilings = {}
    for r in out:
        if r.get("kind") == "gemm" and r.get("flops") and r.get("median"):
            key = (r.get("framework"), r.get("device"), r.get("dtype"))
            ceilings[key] = max(ceilings.get(key, 0.0), r["flops"] / r["median"])
    for r in out:
        if r.get("flops") and r.get("median"):
            r["gflops"] = r["flops"] / r["median"] / 1e9
            ceiling = ceilings.get((r.get("framework"), r.get("device"), r.get("dtype")))
            r["ceiling_gflops"] = ceiling / 1e9 if ceiling else None
            r["of_ceiling"] = r["flops"] / r["median"] / ceiling if ceiling else None
    return annotate(out)  # confidence intervals, noisy flags (reports/bench_noise.py)


def _num(v, spec="{:.3g}") -> str:
    return "" if v is None else spec.format(v)


def _ci(r: dict) -> str:
    if r.get("ci_low") is None or r.get("ci_high") is None:
        return ""
    return f"{seconds(r['ci_low'])} – {seconds(r['ci_high'])}"


def _noisy_mark(r: dict) -> str:
    if not r.get("noisy"):
        return ""
    spread = r.get("rel_iqr")
    why = (f"IQR {100 * spread:.0f}% of the median, above the {100 * r['allowance']:.0f}% the machine allows"
           if spread is not None else "too few rounds")
    return f" <span class='alarm' title='{escape(why)}'>noisy ({escape(why)})</span>"


def _table(rs: list[dict]) -> str:
    fwd = {(r.get("module_id"), r.get("framework"), r.get("device"), r.get("dtype"), r.get("mode")): r["median"]
           for r in rs if r.get("pass") == "forward" and r.get("median")}
    head = ("<tr><th>module</th><th>framework</th><th>device</th><th>dtype</th><th>mode</th>"
            "<th>pass</th><th>median</th><th>95% CI of median</th><th>IQR</th><th>backward ≈</th><th>rounds × calls</th>"
            "<th>compile</th><th>shapes</th><th>GFLOP/s</th><th>of GEMM ceiling</th><th>threads</th></tr>")
    body = []
    for r in rs:
        key = (r.get("module_id"), r.get("framework"), r.get("device"), r.get("dtype"), r.get("mode"))
        back = r["median"] - fwd[key] if r.get("pass") == "forward+vjp" and key in fwd and r.get("median") else None
        shapes = "; ".join(f"{k} {tuple(v)}" for k, v in (r.get("shapes") or {}).items())
        frac = r.get("of_ceiling")
        body.append(
            "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in (
                r.get("module_id") or r.get("module"), r.get("framework"), r.get("device"),
                r.get("dtype"), r.get("mode"), r.get("pass")))
            + f"<td class='num'>{seconds(r['median']) if r.get('median') else ''}{_noisy_mark(r)}</td>"
            + f"<td class='num'>{_ci(r)}</td>"
            + f"<td class='num'>{seconds(r['iqr']) if r.get('iqr') else ''}</td>"
            + f"<td class='num'>{seconds(back) if back and back > 0 else ''}</td>"
            + f"<td class='num'>{r.get('rounds') or ''} × {r.get('iterations') or ''}</td>"
            + f"<td class='num'>{_num(r.get('compile_s'), '{:.3g} s')}</td>"
            + f"<td>{escape(shapes)}</td><td class='num'>{_num(r.get('gflops'))}</td>"
            + f"<td class='num'>{'' if frac is None else f'{100 * frac:.1f}%'}</td>"
            + f"<td class='num'>{escape(str((r.get('threads') or {}).get('actual', '')))}</td></tr>")
    return f"<div class='scroll'><table class='bench'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table></div>"


def framework_order(rs: list[dict]) -> tuple:
    """The frameworks in the order their workers ran (bench.json keeps it: the registry's)."""
    return tuple(dict.fromkeys(r.get("framework") for r in rs))


def _module_plots(rs: list[dict]) -> str:
    by_module = defaultdict(list)
    for r in rs:
        by_module[r.get("module_id") or r.get("module")].append(r)
    order = framework_order(rs)
    figs = []
    for mid, group in by_module.items():
        devices_dtypes = sorted({(r.get("device"), r.get("dtype")) for r in group})
        for dev, dt in devices_dtypes:
            sub = [r for r in group if (r.get("device"), r.get("dtype")) == (dev, dt)]
            groups = [g for g in (f"{m} {PASS_SHORT.get(p, p)}" for m in ("eager", "compiled")
                                  for p in ("forward", "forward+vjp"))
                      if any(f"{r.get('mode')} {PASS_SHORT.get(r.get('pass'), r.get('pass'))}" == g for r in sub)]
            series = sorted({r.get("framework") for r in sub}, key=order.index)
            values = {(f"{r.get('mode')} {PASS_SHORT.get(r.get('pass'), r.get('pass'))}", r.get("framework")):
                      (r.get("median"), r.get("q1"), r.get("q3"), r.get("noisy")) for r in sub}
            svg = bar_chart(groups, series, values, title=f"{mid} · {dev} · {dt}", order=order)
            if svg:
                figs.append(f"<figure>{svg}</figure>")
    return f"<div class='plots'>{''.join(figs)}</div>"


def _scaling_plots(rs: list[dict]) -> str:
    by_module = defaultdict(lambda: defaultdict(list))
    for r in rs:
        if r.get("median") and r.get("elements"):
            name = f"{r.get('framework')} {r.get('mode')} {PASS_SHORT.get(r.get('pass'), r.get('pass'))}"
            by_module[(r.get("module_id"), r.get("device"), r.get("dtype"))][name].append(
                (float(r["elements"]), r["median"]))
    order = framework_order(rs)
    figs = [f"<figure>{line_chart(dict(series), title=f'{m} · {d} · {t}: time over size', xlabel='input elements', order=order)}"
            f"<figcaption>median per call; each point one shape (see the table)</figcaption></figure>"
            for (m, d, t), series in by_module.items()]
    return f"<div class='plots'>{''.join(figs)}</div>"


def _gemm(rs: list[dict]) -> str:
    if not rs:
        return ""
    items = "".join(
        f"<tr><td>{escape(str(r.get('framework')))}</td><td>{escape(str(r.get('device')))}</td>"
        f"<td>{escape(str(r.get('dtype')))}</td><td>{escape(str(r.get('shapes', {})))}</td>"
        f"<td class='num'>{seconds(r['median']) if r.get('median') else ''}</td>"
        f"<td class='num'>{_num(r.get('gflops'))}</td>"
        f"<td class='num'>{escape(str((r.get('threads') or {}).get('actual', '')))}</td></tr>" for r in rs)
    return ("<h3>GEMM ceiling (measured in this run)</h3><table class='bench'><thead><tr><th>framework</th>"
            "<th>device</th><th>dtype</th><th>shapes</th><th>median</th><th>GFLOP/s</th><th>threads</th>"
            f"</tr></thead><tbody>{items}</tbody></table>")


def _setup(bench: dict, rs: list[dict]) -> str:
    per_fw = {}
    for r in rs:
        fw = r.get("framework")
        if fw and fw not in per_fw:
            per_fw[fw] = {"threads": r.get("threads"), "precision": r.get("precision"),
                          "version": r.get("version")}
    mi = bench.get("machine_info") or {}
    meta = bench.get("conformance") or {}
    warn = ""
    load, ncpu = meta.get("loadavg_after"), meta.get("cpu_count")
    if load and ncpu and load[0] > 0.75 * ncpu:
        warn = (f"<p class='alarm'>The machine was busy while timing (load average {load[0]:g} on "
                f"{ncpu} CPUs, 1 min): other processes competed for the CPUs, so medians are "
                "inflated and noisy — multi-threaded pools suffer most. Rerun on a quiet machine, "
                "or with --threads 1, before drawing conclusions.</p>")
    skipped = meta.get("skipped_benchmarks") or {}
    if skipped:
        warn += ("<details><summary>" + f"{len(skipped)} benchmarks skipped</summary><ul>"
                 + "".join(f"<li><code>{escape(k)}</code>: {escape(str(v))}</li>" for k, v in skipped.items())
                 + "</ul></details>")
    cpu = (mi.get("cpu") or {}).get("brand_raw") or mi.get("processor") or ""
    def threads(t):
        t = t or {}
        detail = ", ".join(f"{k} {v}" for k, v in (t.get("detail") or {}).items() if v not in (None, ""))
        return f"{t.get('actual', '?')} (requested {t.get('requested', '?')}; {detail})"

    def precision(p):
        return ", ".join(f"{k} = {v}" for k, v in (p or {}).items()) or "n/a"
    lines = "".join(f"<tr><th>{escape(fw)}</th><td>{escape(str(v.get('version') or ''))}</td>"
                    f"<td>{escape(threads(v.get('threads')))}</td><td>{escape(precision(v.get('precision')))}</td></tr>"
                    for fw, v in per_fw.items())
    lines = ("<thead><tr><th>framework</th><th>version</th><th>threads</th><th>precision modes "
             f"/ determinism</th></tr></thead><tbody>{lines}</tbody>")
    return (f"<p class='muted'>CPU {escape(cpu)}; python {escape(str(mi.get('python_version', '')))}; "
            f"{escape(str(bench.get('datetime', '')))}. One worker process per framework, all pinned "
            "to the same CPUs at the same thread count.</p>"
            f"<table class='bench'>{lines}</table>{warn}")


def section(bench: dict | None) -> str:
    if not bench:
        return ""
    rs = rows(bench)
    mods = [r for r in rs if r.get("kind", "module") == "module"]
    scaling = [r for r in rs if r.get("kind") == "scaling"]
    gemm = [r for r in rs if r.get("kind") == "gemm"]
    return (f"<section id='benchmarks'><h2>Benchmarks <span class='count'>{len(rs)}</span></h2>"
            "<p class='muted'>Median and interquartile range per call (pytest-benchmark). "
            "Forward, and forward + VJP with respect to every differentiable argument with a "
            "fixed cotangent (backward ≈ their difference); compile time reported separately "
            "from the steady state. Bars: log scale, whiskers = IQR; hollow dashed bars are "
            "noisy rows.</p>" + f"<p class='muted'>{escape(noise_note(rs))}</p>"
            + _setup(bench, rs) + _module_plots(mods)
            + (("<h3>Scaling over size</h3>" + _scaling_plots(scaling)) if scaling else "")
            + _gemm(gemm) + "<h3>All timings</h3>" + _table(mods + scaling) + "</section>")
