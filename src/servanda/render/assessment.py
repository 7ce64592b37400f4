"""The assessment report as Markdown or HTML (Jinja2 templates in ``servanda/templates``).

HTML is autoescaped: titles, term texts and notes are user input and are never trusted as markup. The only
markup passed through unescaped is the charts' SVG, which servanda draws itself (text in it is drawn as
glyph paths, so no user text reaches it as markup).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup

from servanda.errors import InvalidInput
from servanda.plots import survival_svg, tornado_svg
from servanda.record.proposals import AssessmentReport

FORMATS = {".md": "assessment.md.j2", ".html": "assessment.html.j2"}


def report_format(path: str | Path) -> str:
    """The template for a report at ``path``; any suffix other than .md or .html is refused."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(
            f"--report: cannot write a report as {suffix or 'a file without a suffix'!r}; "
            "use a file name ending in .md or .html"
        )
    return FORMATS[suffix]


def charts(report: AssessmentReport) -> dict[str, str]:
    e = report.evaluation
    out: dict[str, str] = {}
    if e.sensitivity:
        out["tornado"] = tornado_svg(
            [(r.input, r.net_at_low, r.net_at_high) for r in e.sensitivity],
            e.net_guaranteed,
            "each input moved across its range, the others held at their values; "
            "the verdict changes where a bar crosses 0",
        )
    for evidence in report.guarantees:
        if evidence.curves:
            out[evidence.covariate] = survival_svg(
                [(c.label, c.times, c.survival) for c in evidence.curves],
                f"Agreements in the record: time until they ended (Kaplan–Meier), by {evidence.covariate}",
            )
    return out


def render(report: AssessmentReport, path: str | Path) -> str:
    """The report's text in the format ``path``'s suffix names."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    template_name = report_format(path)
    environment = Environment(
        loader=PackageLoader("servanda", "templates"),
        autoescape=select_autoescape(["html.j2"], default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    html = template_name.endswith(".html.j2")
    svg = {name: Markup(text) if html else text for name, text in charts(report).items()}
    context: dict[str, Any] = {
        "r": report,
        "e": report.evaluation,
        "p": report.proposal,
        "data": report.to_dict(),
        "charts": svg,
    }
    return environment.get_template(template_name).render(**context)


def write_report(report: AssessmentReport, path: str | Path) -> None:
    Path(path).write_text(render(report, path), encoding="utf-8")
