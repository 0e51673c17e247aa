"""The Jinja2 environments of the pages a run writes (report.html, report.md), loading the
templates in runner/report/templates. Strict: a name a template reads and the page data
lacks is an error, never an empty string. jinja2 is imported on first use only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).parent / "templates"


def environment(*, html: bool) -> jinja2.Environment:
    """A new environment for the templates: HTML ones (`*.html.j2`) always autoescaped;
    with `html=False` (Markdown, text) nothing else is, so a `<` stays a `<`."""
    import jinja2

    autoescape = True if html else jinja2.select_autoescape(["html.j2"], default=False)
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
