"""Inline SVG charts (no library, no network): grouped bars with IQR whiskers on a log
axis, and log–log lines. Inline ``<svg>`` in HTML5 needs no namespace attribute."""

from __future__ import annotations

import math
from html import escape

# By a framework's position in the run's framework order (the registry's, the references
# first), so that a framework keeps its colour across charts.
PALETTE = ("#7f7f7f", "#e4572e", "#f2a541", "#3b6fb6", "#59a14f", "#b07aa1", "#76b7b2",
           "#9c755f", "#edc948", "#ff9da7")


def colour(name: str, index: int = 0, order: tuple = ()) -> str:
    """The colour of series ``name`` ("framework mode pass"): by its framework's place in
    ``order``, else by ``index``."""
    base = name.split(" ")[0]
    return PALETTE[(order.index(base) if base in order else index) % len(PALETTE)]


def _decades(lo: float, hi: float) -> tuple[float, float]:
    lo = 10 ** math.floor(math.log10(lo)) if lo > 0 else 1e-9
    hi = 10 ** math.ceil(math.log10(hi)) if hi > 0 else 1.0
    return lo, max(hi, lo * 10)


def _t(x, y, text, anchor="middle", extra="") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(str(text))}</text>'


def seconds(v: float) -> str:
    """A duration at a readable unit: 812 ns, 3.4 µs, 12 ms, 1.2 s."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if v >= scale:
            return f"{v / scale:.3g} {unit}"
    return f"{v / 1e-9:.3g} ns"


def _log_axis(parts, lo, hi, left, top, height, width, label):
    """Horizontal grid lines and labels at each decade of [lo, hi] (seconds)."""
    def y(v):
        return top + height * (1 - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)))
    d = lo
    while d <= hi * 1.0001:
        parts.append(f'<line x1="{left}" x2="{left + width}" y1="{y(d):.1f}" y2="{y(d):.1f}" stroke="#e3e3e3"/>')
        parts.append(_t(left - 4, y(d) + 4, seconds(d), "end"))
        d *= 10
    parts.append(_t(12, top + height / 2, label, "middle", f' transform="rotate(-90 12 {top + height / 2:.1f})"'))
    return y


def bar_chart(groups: list[str], series: list[str], values: dict, title: str = "",
              ylabel: str = "median time", order: tuple = ()) -> str:
    """``values[(group, series)] = (median, q1, q3)`` in seconds; log y axis; missing
    pairs leave a gap. Bars carry a ``<title>`` tooltip with median and IQR."""
    present = [v for v in values.values() if v and v[0] > 0]
    if not present:
        return ""
    lo, hi = _decades(min(min(v[0], v[1] or v[0]) for v in present),
                      max(max(v[0], v[2] or v[0]) for v in present))
    bw = 14
    gw = max(bw * len(series) + 14, 84)
    left, top, height = 62, 24, 150
    width = max(gw * len(groups), 200)
    per_row = max(1, int((width + left - 20) // 100))
    legend_h = 16 * ((len(series) + per_row - 1) // per_row)
    total_w, total_h = left + width + 10, top + height + 46 + legend_h
    parts = [f'<svg width="{total_w}" height="{total_h}" viewBox="0 0 {total_w} {total_h}" role="img">',
             _t(left, 14, title, "start", ' font-weight="600"')]
    y = _log_axis(parts, lo, hi, left, top, height, width, ylabel)
    for gi, g in enumerate(groups):
        x0 = left + gi * gw + (gw - bw * len(series)) / 2
        for li, line in enumerate(g.split(" ", 1)):  # "compiled fwd+vjp": two short lines
            parts.append(_t(x0 + bw * len(series) / 2, top + height + 14 + 12 * li, line))
        for si, s in enumerate(series):
            v = values.get((g, s))
            if not v or not v[0] > 0:
                continue
            med, q1, q3, *flags = v  # a 4th item true: a noisy row, drawn hollow and dashed
            noisy = bool(flags and flags[0])
            x = x0 + si * bw
            fill = (f'fill="none" stroke="{colour(s, si, order)}" stroke-dasharray="3 2"' if noisy
                    else f'fill="{colour(s, si, order)}"')
            note = " — NOISY: spread above what the machine allows" if noisy else ""
            parts.append(f'<rect x="{x:.1f}" y="{y(med):.1f}" width="{bw - 2}" height="{top + height - y(med):.1f}" '
                         f'{fill}><title>{escape(f"{g} · {s}: median {seconds(med)}, IQR {seconds(q1)} – {seconds(q3)}{note}")}</title></rect>')
            if q1 and q3 and q3 > q1:
                xm = x + (bw - 2) / 2
                parts.append(f'<line x1="{xm:.1f}" x2="{xm:.1f}" y1="{y(q3):.1f}" y2="{y(max(q1, lo)):.1f}" stroke="#222"/>')
    ly = top + height + 44
    for si, s in enumerate(series):
        lx = 20 + (si % per_row) * 100
        yy = ly + 16 * (si // per_row)
        parts.append(f'<rect x="{lx}" y="{yy - 9}" width="10" height="10" fill="{colour(s, si, order)}"/>')
        parts.append(_t(lx + 14, yy, s, "start"))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(series: dict[str, list[tuple[float, float]]], title: str = "",
               xlabel: str = "elements", ylabel: str = "median time", order: tuple = ()) -> str:
    """Log–log lines, one per series: ``series[name] = [(x, seconds), ...]``."""
    points = [p for pts in series.values() for p in pts if p[0] > 0 and p[1] > 0]
    if not points:
        return ""
    xlo, xhi = _decades(min(p[0] for p in points), max(p[0] for p in points))
    ylo, yhi = _decades(min(p[1] for p in points), max(p[1] for p in points))
    left, top, height, width = 62, 24, 200, 380
    legend_h = 16 * ((len(series) + 1) // 2)
    total_w, total_h = left + width + 20, top + height + 40 + legend_h
    parts = [f'<svg width="{total_w}" height="{total_h}" viewBox="0 0 {total_w} {total_h}" role="img">',
             _t(left, 14, title, "start", ' font-weight="600"')]
    y = _log_axis(parts, ylo, yhi, left, top, height, width, ylabel)

    def x(v):
        return left + width * (math.log10(v) - math.log10(xlo)) / (math.log10(xhi) - math.log10(xlo))
    d = xlo
    while d <= xhi * 1.0001:
        parts.append(f'<line x1="{x(d):.1f}" x2="{x(d):.1f}" y1="{top}" y2="{top + height}" stroke="#eee"/>')
        parts.append(_t(x(d), top + height + 14, f"{d:.0e}".replace("e+0", "e").replace("e+", "e")))
        d *= 10
    parts.append(_t(left + width / 2, top + height + 28, xlabel))
    for si, (name, pts) in enumerate(series.items()):
        pts = sorted(p for p in pts if p[0] > 0 and p[1] > 0)
        c = colour(name, si, order)
        path = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in pts)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{c}" stroke-width="2"/>')
        for a, b in pts:
            parts.append(f'<circle cx="{x(a):.1f}" cy="{y(b):.1f}" r="3" fill="{c}"><title>'
                         f'{escape(f"{name}: {a:g} {xlabel}, {seconds(b)}")}</title></circle>')
        lx, ly = left + (si % 2) * 200, top + height + 44 + 16 * (si // 2)
        parts.append(f'<line x1="{lx}" x2="{lx + 14}" y1="{ly - 4}" y2="{ly - 4}" stroke="{c}" stroke-width="2"/>')
        parts.append(_t(lx + 18, ly, name, "start"))
    parts.append("</svg>")
    return "".join(parts)
