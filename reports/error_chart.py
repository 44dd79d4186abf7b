"""The error chart: per module, the worst error of each framework in units of its dtype's
epsilon, float64 to bfloat16 on one logarithmic axis (inline SVG, no library).

The unit is ``eps(arithmetic) · (|expected_i| + max|expected|)``, the scale of the
tolerance model (``conformance.model.spec``), so a float64 error of 3 and a bfloat16 error of 3
read alike: three epsilons of that dtype. Each dot is the worst over the module's variants
and checks (forward and gradients) that ran; its tooltip names them.
"""

from __future__ import annotations

import math
from html import escape

from .svg import _t, colour

# Marker per dtype (autocast: float32 arguments computed in bfloat16).
MARKERS = {"float64": "circle", "float32": "square", "autocast": "cross", "bfloat16": "triangle",
           "float16": "diamond"}
LO, HI = 1e-3, 1e4  # the axis, in epsilons; 0 is drawn at LO, beyond HI (or inf) at HI


def _series(r: dict) -> str | None:
    mode = (r.get("precision") or {}).get("mode", "highest")
    if r.get("mode", "eager") != "eager" or mode not in ("highest", "autocast"):
        return None
    return "autocast" if mode == "autocast" else r.get("dtype")


def worst_errors(records: list[dict]) -> dict[tuple[str, str, str], tuple[float, str]]:
    """(module, framework, dtype) -> (worst error in epsilons, where)."""
    out: dict[tuple[str, str, str], tuple[float, str]] = {}
    for r in records:
        check = r.get("check", "")
        if r.get("status") not in ("pass", "fail", "xfail") or not (
                check.startswith("forward") or check.startswith("grad:")):
            continue
        value = r.get("error_eps")
        series = _series(r)
        if value is None or series is None:
            continue
        value = float("inf") if value in ("inf", "nan") else float(value)
        key = (r["module"], r["framework"], series)
        variant = (r.get("attrs") or {}).get("variant", "")
        where = f"{r['module']}{f'[{variant}]' if variant else ''} {check}"
        if key not in out or value > out[key][0]:
            out[key] = (value, where)
    return out


def _marker(shape: str, x: float, y: float, fill: str, tip: str) -> str:
    t = f"<title>{escape(tip)}</title>"
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{fill}">{t}</circle>'
    if shape == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{fill}">{t}</rect>'
    if shape == "triangle":
        pts = f"{x:.1f},{y - 5:.1f} {x - 4.5:.1f},{y + 4:.1f} {x + 4.5:.1f},{y + 4:.1f}"
        return f'<polygon points="{pts}" fill="{fill}">{t}</polygon>'
    if shape == "diamond":
        pts = f"{x:.1f},{y - 5:.1f} {x + 4.5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 4.5:.1f},{y:.1f}"
        return f'<polygon points="{pts}" fill="{fill}">{t}</polygon>'
    return (f'<path d="M{x - 4:.1f},{y - 4:.1f}L{x + 4:.1f},{y + 4:.1f}M{x - 4:.1f},{y + 4:.1f}'
            f'L{x + 4:.1f},{y - 4:.1f}" stroke="{fill}" stroke-width="2">{t}</path>')


def chart(records: list[dict], order: tuple = ()) -> str:
    worst = worst_errors(records)
    if not worst:
        return ""
    modules = sorted({m for m, _, _ in worst}, key=lambda m: [r["module"] for r in records].index(m))
    frameworks = sorted({f for _, f, _ in worst}, key=lambda f: (order.index(f) if f in order else 99, f))
    dtypes = [d for d in MARKERS if any(k[2] == d for k in worst)]
    left, top, row, width = 170, 34, 18, 520
    height = row * len(modules)
    total_h = top + height + 44 + 16
    parts = [f'<svg width="{left + width + 20}" height="{total_h}" viewBox="0 0 {left + width + 20} {total_h}" '
             'role="img" class="error-chart">',
             _t(left, 14, "worst error per module, in epsilons of the case's dtype (log axis)", "start",
                ' font-weight="600"')]

    def x(v: float) -> float:
        v = min(max(v, LO), HI) if math.isfinite(v) else HI
        return left + width * (math.log10(v) - math.log10(LO)) / (math.log10(HI) - math.log10(LO))

    d = LO
    while d <= HI * 1.0001:
        parts.append(f'<line x1="{x(d):.1f}" x2="{x(d):.1f}" y1="{top - 6}" y2="{top + height}" stroke="#e3e3e3"/>')
        parts.append(_t(x(d), top + height + 14, f"{d:g}"))
        d *= 10
    parts.append(_t(left + width / 2, top + height + 28, "error / (eps · (|expected_i| + max|expected|))"))
    for mi, module in enumerate(modules):
        y = top + row * mi + row / 2
        if mi % 2:
            parts.append(f'<rect x="{left}" y="{y - row / 2:.1f}" width="{width}" height="{row}" fill="#f6f6f6"/>')
        parts.append(_t(left - 6, y + 4, module, "end"))
        for fi, fw in enumerate(frameworks):
            for dt in dtypes:
                hit = worst.get((module, fw, dt))
                if hit is None:
                    continue
                value, where = hit
                shown = "inf" if not math.isfinite(value) else f"{value:.3g}"
                parts.append(_marker(MARKERS[dt], x(value) + (fi - len(frameworks) / 2) * 1.5, y,
                                     colour(fw, fi, order), f"{fw} {dt}: {shown} eps ({where})"))
    ly = total_h - 6
    lx = 10
    for fi, fw in enumerate(frameworks):
        parts.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{colour(fw, fi, order)}"/>')
        parts.append(_t(lx + 14, ly, fw, "start"))
        lx += 24 + 7 * len(fw)
    for dt in dtypes:
        parts.append(_marker(MARKERS[dt], lx + 4, ly - 4, "#555", dt))
        parts.append(_t(lx + 12, ly, dt, "start"))
        lx += 24 + 7 * len(dt)
    parts.append("</svg>")
    return "".join(parts)


def section(records: list[dict], order: tuple = ()) -> str:
    svg = chart(records, order)
    if not svg:
        return ""
    return ("<section id='error-chart'><h2>Error by dtype</h2><p>Each dot: the worst error of a "
            "framework on a module (over its variants and checks), in units of the epsilon of the "
            "dtype it ran in (autocast: bfloat16's), so dtypes compare on one axis. Hover a dot for "
            f"the value and the check.</p><div class='scroll'>{svg}</div></section>")
