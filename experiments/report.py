"""Self-contained HTML report of a ``mdptheory verify`` run (``report/index.html``).

One file, no network: the table (claim, source, bound, empirical, tightness ratio, control, verdict),
then one section per claim with its bound rendered from :meth:`bounds.Bound.latex` by matplotlib's
mathtext into an embedded PNG (the raw LaTeX is shown next to it, and alone if mathtext cannot parse
it), the check's and the control's explanations, and the claim's figures as base64 PNGs.
"""
from __future__ import annotations

import base64
import datetime as _dt
import html
import io
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .claims import ClaimResult

__all__ = ["format_table", "latex_png", "figure_png", "write_report"]

COLUMNS = ("claim", "source", "bound", "empirical", "ratio", "control", "verdict")

_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;width:100%;font-size:90%}th,td{border:1px solid #ccc;padding:4px 6px;text-align:left}
th{background:#f0f0f0}.verified{background:#e3f6e3}.failed{background:#fbe3e3}.vacuous{background:#fff3cd}
.error{background:#f3d6f3}code{background:#f6f6f6;padding:1px 3px}section{border-top:1px solid #ddd;margin-top:1.5em}
img.fig{max-width:100%}.expl{font-size:92%}
"""


def format_table(results: Sequence[ClaimResult], width: int = 38) -> str:
    """Plain-text table of the results (long cells are shortened to ``width`` characters)."""
    rows = [r.row() for r in results]
    cut = lambda s: s if len(s) <= width else s[: width - 1] + "…"  # noqa: E731
    cells = [[cut(str(row[c])) for c in COLUMNS] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(COLUMNS)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths))  # noqa: E731
    out = [line(COLUMNS), line(["-" * w for w in widths])] + [line(r) for r in cells]
    return "\n".join(out)


def _png_b64(fig, dpi: int = 110) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.03)
    return base64.b64encode(buf.getvalue()).decode()


def latex_png(tex: str, fontsize: int = 13) -> str | None:
    """Render ``tex`` with matplotlib mathtext; base64 PNG, or ``None`` if mathtext cannot parse it."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(0.1, 0.1))
    fig.text(0, 0, f"${tex}$", fontsize=fontsize)
    try:
        return _png_b64(fig, dpi=120)
    except (ValueError, RuntimeError):
        return None


def figure_png(fig) -> str:
    """A matplotlib Figure as a base64 PNG string."""
    return _png_b64(fig)


def _esc(x: Any) -> str:
    return html.escape(str(x))


def _claim_section(r: ClaimResult, figures: Iterable[str]) -> str:
    c = r.claim
    parts = [f'<section id="{_esc(c.name)}"><h2>{_esc(c.name)} <span class="{r.status}">[{r.status}]</span></h2>']
    if c.description:
        parts.append(f"<p>{_esc(c.description)}</p>")
    parts.append(f"<p><b>Source:</b> {_esc(c.source or '-')} &middot; <b>experiment:</b> <code>{_esc(c.experiment)}</code></p>")
    from bounds.references import reference_for

    ref = reference_for(c.source or "")
    if ref:
        parts.append(f"<p class='expl'><b>Reference:</b> {_esc(ref)}</p>")
    b = c.bound
    if b is not None:
        tex = b.latex()
        img = latex_png(tex)
        parts.append(f"<p><b>Bound</b> <code>{_esc(b.name)}</code> ({_esc(b.kind)}, provenance {_esc(b.provenance)}"
                     f"{', holds w.p. ' + _esc(b.probability) if b.probability else ''}"
                     f"{', hidden constant' if b.hidden_constant else ''}):</p>")
        if img:
            parts.append(f'<p><img alt="{_esc(tex)}" src="data:image/png;base64,{img}"></p>')
        parts.append(f"<p>LaTeX: <code>{_esc(tex)}</code></p>")
        items = [f"<li><code>{_esc(k)}</code>: {_esc(v)}</li>" for k, v in b.symbols.items()]
        items += [f"<li>constant <code>{_esc(k)}</code> = {v:g}</li>" for k, v in b.constants.items()]
        items += [f"<li>assumption: {_esc(a)}</li>" for a in b.assumptions]
        parts.append("<ul>" + "".join(items) + "</ul>")
    if r.verdict is not None:
        parts.append(f'<p class="expl"><b>Check ({"passed" if r.verdict.passed else "failed"}):</b> {_esc(r.verdict.explanation)}</p>')
    if r.details.get("why"):
        parts.append(f'<p class="expl"><b>Why {_esc(r.status)}:</b> {_esc(r.details["why"])}</p>')
    if r.control_verdicts:
        items = []
        for label, v in r.control_verdicts.items():
            what = _control_name(c, label)
            verdict = "rejected, as it must be" if not v.passed else "PASSED: the check cannot tell it apart"
            items.append(f"<li>{what}: <b>{verdict}</b> &mdash; {_esc(v.explanation)}</li>")
        parts.append('<p class="expl"><b>Controls</b> (realistic bugs the check must reject):</p><ul class="expl">'
                     + "".join(items) + "</ul>")
    if r.error:
        parts.append(f"<p><b>Error:</b> <code>{_esc(r.error)}</code></p>")
    if r.status == "verified" and b is not None and b.provenance in ("R", "S", "U", "I"):
        parts.append(f"<p class='expl'><b>Note:</b> the bound's constants carry provenance {_esc(b.provenance)} "
                     "(not read in the paper itself): the verdict checks the recalled statement.</p>")
    figures = list(figures)
    if figures:
        parts.append("<p><b>Figures:</b> " + ", ".join(f'<a href="#fig-{_esc(f)}">{_esc(f)}</a>' for f in figures)
                     + "</p>")
    parts.append("</section>")
    return "\n".join(parts)


def _figures_section(figures: Mapping[str, tuple[str, str]]) -> str:
    """Every figure once, with what it shows (its module docstring's first paragraph) and the runs it used."""
    import paper_figs

    parts = ['<section id="figures"><h2>Figures</h2>']
    for name, (png, runs) in figures.items():
        doc = (paper_figs.get_figure(name).__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        parts.append(f'<figure id="fig-{_esc(name)}"><img class="fig" alt="{_esc(name)}" '
                     f'src="data:image/png;base64,{png}"><figcaption><b>{_esc(name)}</b>: {_esc(doc)} '
                     f"<br><small>runs: {_esc(runs)}</small></figcaption></figure>")
    parts.append("</section>")
    return "\n".join(parts)


def stamp() -> dict[str, str]:
    """What produced a report: package version, git commit, date, machine, library versions."""
    import os
    import platform
    import subprocess

    import mdptheory
    from mdptheory.codeversion import library_versions

    root = Path(__file__).resolve().parents[1]
    commit = "not a git checkout"
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=5)
        if head.returncode == 0:
            dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                                   capture_output=True, text=True, timeout=5).stdout.strip()
            commit = head.stdout.strip() + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return {"mdptheory": mdptheory.__version__, "commit": commit,
            "date": f"{_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M UTC}",
            "machine": f"{platform.node()} ({platform.machine()}, {os.cpu_count()} cores, load {load})",
            "libraries": ", ".join(f"{k} {v}" for k, v in library_versions().items())}


def _control_name(c: ClaimResult | Any, label: str) -> str:
    if label.startswith("mutant:"):
        from mdptheory import mutants

        name = label.split(":", 1)[1]
        return f"mutant <code>{_esc(name)}</code> ({_esc(mutants.get(name).description)})"
    ctl = c.control_overrides
    return f"variant <code>{_esc(ctl)}</code>" if ctl is not None else "wrong-bound control"


def _power_section(power: Any) -> str:
    """One table per algorithm: its mutants (rows) against the claims covering it (columns)."""
    from mdptheory import mutants

    got, n = power.total()
    parts = [f'<section id="power"><h2>Power against the registered mutants: {got}/{n} rejected</h2>',
             "<p>Each algorithm registers realistic single bugs (<i>mutants</i>); every claim covering the "
             "algorithm is run with each of them switched on. &#10003; = the claim's check rejects the mutant, "
             "&middot; = not caught, E = the mutant's run or check raised (caught).</p>"]
    for algo, ms in power.algorithms.items():
        claims = power.claims_of.get(algo, [])
        a, b = power.summary()[algo]
        head = "".join(f"<th>{_esc(c)}</th>" for c in claims)
        rows = []
        for m in ms:
            cells = []
            for c in claims:
                v = power.cells.get((c, m), "")
                cells.append("<td>&#10003;</td>" if v == "rejected" else
                             (f'<td title="{_esc(v)}">E</td>' if v.startswith("error") else "<td>&middot;</td>"))
            cls = "verified" if power.caught(m) else "failed"
            rows.append(f'<tr class="{cls}"><td><code>{_esc(m)}</code><br><small>{_esc(mutants.get(m).description)}'
                        f"</small></td>{''.join(cells)}</tr>")
        parts.append(f"<h3>{_esc(algo)}: {a}/{b}</h3><table><tr><th>mutant</th>{head}</tr>{''.join(rows)}</table>")
    parts.append("</section>")
    return "\n".join(parts)


def write_report(
    results: Sequence[ClaimResult],
    path: str | Path = "report/index.html",
    figures: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    *,
    title: str = "mdptheory verification report",
    meta: Mapping[str, Any] | None = None,
    problems: Sequence[str] = (),
    power: Any = None,
    code_versions: Mapping[str, str] | None = None,
    claim_figures: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """Write the report and return its path.

    Parameters
    ----------
    results : list of ClaimResult
    path : output file (its folder is created).
    figures : dict figure name -> (base64 PNG, description of the runs it was drawn from)
    meta : extra key/values shown under the title (command, wall time, mode, ...).
    problems : lines listed in a "Problems" box (modules that failed to import, failed jobs).
    power : experiments.verify.PowerReport, optional (``verify --power``).
    code_versions : experiment -> code version of the rows judged (see :mod:`mdptheory.codeversion`).
    claim_figures : claim name -> the names of its figures (linked from the claim's section).
    """
    figures = figures or {}
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    counts = {s: sum(r.status == s for r in results) for s in ("verified", "failed", "vacuous", "error")}
    head = [f"<h1>{_esc(title)}</h1>",
            "<p>" + ", ".join(f"{v} {k}" for k, v in counts.items()) + ".</p>",
            "<p>" + " &middot; ".join(f"<b>{_esc(k)}:</b> {_esc(v)}" for k, v in stamp().items()) + "</p>"]
    if meta:
        head.append("<p>" + " &middot; ".join(f"<b>{_esc(k)}:</b> {_esc(v)}" for k, v in meta.items()) + "</p>")
    head.append("<p>A claim is <b>verified</b> when its check passes on the real runs and rejects every control "
                "(the registered realistic bugs it names); <b>failed</b> when the real runs fail; <b>vacuous</b> when "
                "a control passes too or the bound lies above the quantity's a-priori range everywhere. A verdict "
                "marked <i>recalled constant R</i> or <i>constant from a digest S</i> checks constants not read in "
                "the paper itself; <i>rate/shape</i> marks big-O bounds whose constant is hidden.</p>")
    if code_versions:
        from mdptheory.codeversion import library_versions

        libs = ", ".join(f"{k} {v}" for k, v in library_versions().items())
        head.append("<p><b>Code versions of the judged rows</b> (hash of every source each experiment can execute; "
                    f"{_esc(libs)}): " + ", ".join(f"<code>{_esc(k)}</code> {_esc(v)}"
                                                   for k, v in sorted(code_versions.items())) + "</p>")
    if problems:
        head.append("<h3>Problems</h3><ul>" + "".join(f"<li><code>{_esc(x)}</code></li>" for x in problems) + "</ul>")
    rows = []
    for r in results:
        row = r.row()
        cells = "".join(
            f'<td><a href="#{_esc(r.claim.name)}">{_esc(row[c])}</a></td>' if c == "claim" else f"<td>{_esc(row[c])}</td>"
            for c in COLUMNS
        )
        rows.append(f'<tr class="{r.status}">{cells}</tr>')
    table = ("<table><tr>" + "".join(f"<th>{c}</th>" for c in COLUMNS) + "</tr>" + "".join(rows) + "</table>")
    claim_figures = claim_figures or {}
    body = "\n".join(_claim_section(r, [f for f in claim_figures.get(r.claim.name, ()) if f in figures])
                     for r in results)
    if figures:
        body += _figures_section(figures)
    if power is not None:
        body += _power_section(power)
    doc = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_esc(title)}</title>"
           f"<style>{_CSS}</style></head><body>{''.join(head)}{table}{body}</body></html>")
    p.write_text(doc, encoding="utf-8")
    return p
