"""Charts of the credibility model, written to a PNG or SVG file (the suffix chooses).

Both functions take plain data, draw with matplotlib's object-oriented API on a non-interactive Agg canvas
created inside the call (no pyplot, no global backend switch, nothing at import time of servanda), and write
the file. Text uses DejaVu Sans, which ships with matplotlib, so the output does not depend on the machine's
fonts.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Any

from servanda.errors import InvalidInput

SUFFIXES = (".png", ".svg")
"""The file types a plot can be written as."""


def plot_format(path: str | Path) -> str:
    """The format a plot at ``path`` is written in ('png' or 'svg'); any other suffix is refused."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(
            f"--plot: cannot write a plot as {suffix or 'a file without a suffix'!r}; "
            f"use a file name ending in {' or '.join(SUFFIXES)}"
        )
    return suffix[1:]


def _styled() -> AbstractContextManager[None]:
    """Fonts that ship with matplotlib, and a stable SVG, for the duration of one drawing."""
    import matplotlib

    return matplotlib.rc_context(
        {
            "font.family": "DejaVu Sans",
            "svg.fonttype": "path",  # glyphs as paths: the SVG looks the same without the font installed
            "svg.hashsalt": "servanda",  # stable element ids: the same data gives the same SVG
        }
    )


def _save(figure: Any, path: str | Path, fmt: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    metadata = {"Date": None} if fmt == "svg" else {}
    figure.savefig(Path(path), format=fmt, dpi=150, metadata=metadata)


def credibility_plot(
    path: str | Path,
    *,
    actor: str,
    dates: Sequence[date],
    mean: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    outcomes: Sequence[tuple[date, float]],
    description: str,
) -> None:
    """The actor's estimate over time: posterior mean, shaded 90% interval, and a dot per outcome.

    ``dates`` are the days the estimate was evaluated on (as of each), ``mean``/``low``/``high`` its value
    there; ``outcomes`` are the actor's (decided, value) pairs, value 1, ½ or 0. ``description`` (the coding
    and half-life used) is printed under the title.
    """
    fmt = plot_format(path)
    if not (len(dates) == len(mean) == len(low) == len(high)):
        raise ValueError("dates, mean, low and high must have the same length")
    import numpy as np
    from matplotlib.figure import Figure

    with _styled():
        figure = Figure(figsize=(9, 5), layout="constrained")
        axes = figure.add_subplot()
        days = np.array(dates, dtype="datetime64[D]")
        axes.fill_between(days, low, high, color="tab:blue", alpha=0.2, linewidth=0, label="90% interval")
        axes.plot(days, mean, color="tab:blue", linewidth=2, label="P(kept), posterior mean")
        if outcomes:
            colours = {1.0: "tab:green", 0.5: "tab:orange", 0.0: "tab:red"}
            names = {1.0: "kept (1)", 0.5: "partially kept (½)", 0.0: "broken or withdrawn (0)"}
            for value, colour in colours.items():
                mine = np.array([d for d, v in outcomes if v == value], dtype="datetime64[D]")
                if mine.size:
                    axes.scatter(
                        mine,
                        [value] * len(mine),
                        color=colour,
                        edgecolors="black",
                        linewidths=0.5,
                        s=36,
                        zorder=3,
                        label=names[value],
                        clip_on=False,
                    )
        axes.set_ylim(-0.04, 1.04)
        axes.set_yticks([0, 0.25, 0.5, 0.75, 1])
        axes.set_yticklabels(["0 (broken)", "0.25", "½", "0.75", "1 (kept)"])
        axes.set_xlabel("as of (date the record is read at); dots: outcomes on the day they were decided")
        axes.set_ylabel("probability the next commitment is kept")
        axes.grid(True, alpha=0.3)
        figure.legend(loc="outside lower center", ncols=5, fontsize="small")
        figure.suptitle(f"Credibility of {actor} over time, with its 90% interval", fontsize="large")
        axes.set_title(description, fontsize="x-small", wrap=True)
        _save(figure, path, fmt)


def calibration_plot(
    path: str | Path,
    *,
    bins: Sequence[tuple[float, float, int, float, float]],
    n: int,
    description: str,
) -> None:
    """The backtest's calibration curve: mean forecast against observed share per bin, with the diagonal.

    ``bins`` are (low, high, count, mean forecast, observed) rows (empty bins are skipped); ``n`` is the
    number of outcomes forecast. The lower panel shows how many forecasts fell in each bin.
    """
    fmt = plot_format(path)
    from matplotlib.figure import Figure

    used = [b for b in bins if b[2] > 0]
    with _styled():
        figure = Figure(figsize=(7, 7), layout="constrained")
        top, bottom = figure.subplots(2, 1, height_ratios=[3, 1], sharex=True)
        top.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect calibration")
        if used:
            top.plot(
                [b[3] for b in used],
                [b[4] for b in used],
                color="tab:blue",
                marker="o",
                linewidth=2,
                label="servanda model",
            )
            for b in used:
                top.annotate(
                    f"n={b[2]}", (b[3], b[4]), textcoords="offset points", xytext=(5, -12), fontsize="x-small"
                )
        top.set_xlim(0, 1)
        top.set_ylim(-0.02, 1.02)
        top.set_ylabel("observed share kept (kept 1, partially ½, broken 0)")
        top.grid(True, alpha=0.3)
        top.legend(loc="upper left", fontsize="small")
        top.set_title(description, fontsize="x-small", wrap=True)
        bottom.bar(
            [(b[0] + b[1]) / 2 for b in bins],
            [b[2] for b in bins],
            width=[(b[1] - b[0]) * 0.9 for b in bins],
            color="tab:blue",
            alpha=0.6,
        )
        bottom.set_xlabel("mean forecast of the model in the bin (forecast from the day before)")
        bottom.set_ylabel("forecasts in bin")
        bottom.grid(True, axis="y", alpha=0.3)
        figure.suptitle(f"Backtest calibration over {n} outcomes (rolling origin)", fontsize="large")
        _save(figure, path, fmt)


def svg_text(figure: Any) -> str:
    """A figure as SVG text, for embedding in a report (the same stable, font-independent SVG as files)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and doctype: the SVG goes inside an HTML page


def tornado_svg(rows: Sequence[tuple[str, float, float]], base: float, description: str) -> str:
    """A tornado chart: for each input (label, net value at its low end, at its high end), a bar from one to
    the other around the base net value; the vertical line at 0 is where the verdict changes."""
    from matplotlib.figure import Figure

    with _styled():
        figure = Figure(figsize=(9, 1.2 + 0.45 * max(1, len(rows))), layout="constrained")
        axes = figure.add_subplot()
        for index, (_label, low, high) in enumerate(reversed(rows)):
            axes.barh(index, low - base, left=base, color="tab:red", alpha=0.7, height=0.6)
            axes.barh(index, high - base, left=base, color="tab:blue", alpha=0.7, height=0.6)
        axes.set_yticks(range(len(rows)))
        axes.set_yticklabels([label for label, _, _ in reversed(rows)], fontsize="small")
        axes.axvline(0, color="black", linewidth=1)
        axes.axvline(base, color="grey", linestyle="--", linewidth=1)
        axes.set_xlabel(
            "net value of the agreement over the alternative (red: input at its low end, blue: high)"
        )
        axes.grid(True, axis="x", alpha=0.3)
        axes.set_title(description, fontsize="x-small", wrap=True)
        return svg_text(figure)


def survival_svg(curves: Sequence[tuple[str, Sequence[float], Sequence[float]]], title: str) -> str:
    """Kaplan–Meier curves (label, times in years, share still in force) as steps."""
    from matplotlib.figure import Figure

    with _styled():
        figure = Figure(figsize=(8, 4.5), layout="constrained")
        axes = figure.add_subplot()
        for label, times, survival in curves:
            axes.step([0.0, *times], [1.0, *survival], where="post", label=label, linewidth=2)
        axes.set_ylim(0, 1.02)
        axes.set_xlabel("years since signing")
        axes.set_ylabel("share of agreements still in force")
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize="small")
        axes.set_title(title, fontsize="medium")
        return svg_text(figure)
