"""Council-paper texts: the "Finanzielle Auswirkungen" section of a Vorlage, as HTML and text.

For each scenario, `render_texts` renders every template of a templates folder in memory and
returns the texts by file name; the caller writes them. A template that cannot be read, compiled
or rendered raises `TemplateError` naming the template file and line, and nothing is returned.
`check_templates` reads and compiles the templates without a scenario, so a build can fail on a
broken template before it writes anything.

Templates folder: it must hold `finanzielle-auswirkungen.html.j2` and
`finanzielle-auswirkungen.txt.j2` (`TEMPLATE_NAMES`); each renders to
`<stem>.finanzielle-auswirkungen.html` / `.txt` (the template name without `.j2`). The shipped
templates live in the top-level `templates/` folder of the project; a wheel carries them as
`kim_budget/templates` (see pyproject.toml), and `DEFAULT_TEMPLATES` finds either.

Templates run in Jinja2's sandbox with `StrictUndefined` (an unknown variable or key is an
error, also inside a branch not taken: top-level names are checked when the template loads),
`trim_blocks` and `lstrip_blocks` (a line holding only a `{% … %}` tag leaves no trace), and
`keep_trailing_newline`. HTML templates (`*.html.j2`) autoescape every value, so scenario text
such as a title with `<script>` shows literally; text templates (`*.txt.j2`) do not escape.

Variables (plain dicts, lists and numbers; amounts in € exactly as the model computes them,
unrounded — round only through the filters):

- `title` (str), `municipality`, `reference` (Vorlagen-Nr.), `description` (str or none)
- `stem` (str): the scenario file name without `.toml`
- `first_year`, `last_year` (int): the horizon
- `budget`: dict `product`, `expense_account`, `income_account` (str or none) from [budget]
- `years`: list, one dict per Haushaltsjahr: `year` (int); `personalaufwand`,
  `sachaufwand` (the workplaces' Sachkosten), `aufwand` (their sum), `foerderung` (Ertrag),
  `eigenanteil` (Aufwand − Ertrag), `deckung`, `haushaltsbelastung`, and for the full cost
  `gemeinkosten` (calculated, no expense), `vollkosten`, `eigenanteil_vollkosten` (float, €;
  always present: without Sachkosten and Gemeinkosten 0, or equal to Personalaufwand and
  Eigenanteil); `covered` (bool: an [offset] year, its Eigenanteil is covered inside the
  personnel budget); `kind` (str, from the Eigenanteil in whole cents): "mehrkosten" (> 0),
  "keine" (0) or "ueberschuss" (< 0, funding exceeds cost); `filled` (int: how many posts are
  filled in at least one month of the year, from their start and end, whatever they cost);
  `accounts` (list: with posts priced from the TVöD pay tables, one dict per NKF account —
  `name`, `account`, `amount` — of their Personalaufwand; empty otherwise)
- `year_groups`: list, the `years` cut into runs of consecutive years that one sentence can
  state together (`group_years`): each a dict `first_year`, `last_year` (int) and `years` (the
  dicts of `years` it holds, in order). Years join a run when they have the same `kind` and
  `covered` and their sentence shows the same amount (`shown_amount`); for "keine" without
  cost also the same wording for the posts (none, one or several filled)
- `totals`: dict with the amounts of `years` summed over the horizon
- `positions`: list, one dict per post: `name` (str), `fte` (float, VZÄ), `start` (date, first
  of the month), `end` (date or none; the last month, inclusive), `funded` (bool),
  `annual_cost` (float, € per 1.0 VZÄ and year before increases; none for a post priced from
  the pay tables), `grade`, `step` and `step_since` (TVöD Entgeltgruppe, the Stufe held in the
  month `step_since`; none for a post priced by an annual cost)
- `funding`: dict `rate_per_fte` (float, € per VZÄ and year; with a funding share its most,
  none when not given), `max_fte` (float or none: the funded VZÄ limit, given or from the
  population share), `cap_at_cost` (bool), `percent_of_cost` (float or none: the funding as a
  share of the eligible cost), `covers_material` (bool), `end` (date or none: the last funded
  month)
- `full_cost` (bool): the scenario gives Sachkosten or a Gemeinkostenzuschlag
- `without_funding`: dict `year` (int, the first full Haushaltsjahr after `funding.end`, inside
  the horizon) and `eigenanteil` (float, €), or none
- `sensitivitaet`: dict `varianten` (list of dicts `name` (Sens_Basis, Sens_Start_3, …), `label`,
  `eigenanteil` and `differenz` (floats, €, over the horizon; the difference to the base)),
  `start_6` (the six months' delay) and `staerkste` (the variant that moves the Eigenanteil
  most), or none when the workbook leaves out "Sensitivität"
- `offset_years`: list of int
- `continues_after_horizon` (bool): a post is filled beyond December of `last_year`

Filters (besides Jinja's own), from `german.py`; number and unit are joined by a no-break space:

- `euro` — 1234.5 → "1.234,50 €"; `euro(0)` → "1.235 €"
- `number` — 1234.5 → "1.234,50"; `number(1)` → "1.234,5"
- `rund` — to the nearest 100 €, halves away from zero: 24850 → "24.900 €" (the word "rund"
  is the template's); `round_hundred` gives the number (24900)
- `vzae` — 1.173 → "1,173 VZÄ", 1.0 → "1,0 VZÄ"
- `month` — a date → "Oktober 2024" (month name and year joined by a no-break space)
- `wrap(width=96, indent="")` — wraps each line of a text at `width`, continuation lines
  start with `indent`; never breaks at a no-break space
"""

from __future__ import annotations

import difflib
import functools
import textwrap
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from kim_budget import german
from kim_budget.errors import TemplateError
from kim_budget.results import Result, Year
from kim_budget.workbook.spec import ACCOUNT_LINES, result_lines

TEMPLATE_NAMES = ("finanzielle-auswirkungen.html.j2", "finanzielle-auswirkungen.txt.j2")
"""The templates a templates folder must hold, each rendering one output file."""


def _shipped_templates() -> Path:
    """The shipped templates: the copy an installed wheel carries as kim_budget/templates, else
    (a source checkout, an editable install) the top-level templates/ folder beside the
    package. The package's own copy comes first: installed, the folder beside the package is
    site-packages, where another distribution may have put a templates/ of its own."""
    package = Path(__file__).resolve().parent
    installed = package / "templates"
    return installed if installed.is_dir() else package.parent / "templates"


DEFAULT_TEMPLATES = _shipped_templates()

CONTEXT_KEYS = frozenset(
    {
        "title",
        "municipality",
        "reference",
        "description",
        "stem",
        "first_year",
        "last_year",
        "budget",
        "years",
        "year_groups",
        "totals",
        "positions",
        "funding",
        "offset_years",
        "continues_after_horizon",
        "full_cost",
        "without_funding",
        "sensitivitaet",
    }
)
"""The top-level variables every template may use (documented above)."""

_AMOUNTS = tuple(line.field for line in result_lines(graded=False))
_RENDER_ERRORS = (
    jinja2.TemplateError,
    ArithmeticError,
    LookupError,
    RecursionError,
    TypeError,
    ValueError,
)
Templates = dict[str, jinja2.Template]


def output_name(stem: str, template: str) -> str:
    """The file a template renders to: ("a", "x.html.j2") → "a.x.html"."""
    return f"{stem}.{template.removesuffix('.j2')}"


def check_templates(templates: Path | None = None) -> Templates:
    """Read and compile every template of the folder (default: the shipped one).

    Raises `TemplateError` (file, line, problem) for a missing folder or template, a syntax
    error or an unknown top-level variable. A build checks once, then renders every scenario
    with the compiled templates it returns.
    """
    folder = DEFAULT_TEMPLATES if templates is None else templates
    if not folder.is_dir():
        where = "the shipped templates" if templates is None else "a templates folder"
        raise TemplateError(str(folder), None, f"no such folder; expected {where}")
    environment = _environment(folder)
    return {name: _compile(environment, folder, name) for name in TEMPLATE_NAMES}


def render_texts(result: Result, templates: Templates | Path | None = None) -> dict[str, str]:
    """Render the council texts of one calculated scenario, in memory.

    `templates`: compiled by `check_templates`, or a folder (default: the shipped one).
    Returns {"<stem>.finanzielle-auswirkungen.html": …, "<stem>.finanzielle-auswirkungen.txt":
    …}; raises `TemplateError` naming the template and line when a template fails.
    """
    loaded = templates if isinstance(templates, dict) else check_templates(templates)
    variables = context(result)
    texts = {}
    for name, template in loaded.items():
        try:
            text = template.render(variables)
        except _RENDER_ERRORS as error:
            file, line = _failing_line(error, template)
            problem = f"{_describe(error)} (rendering {result.scenario.path})"
            raise TemplateError(file, line, problem) from error
        texts[output_name(result.scenario.stem, name)] = text
    return texts


def context(result: Result) -> dict[str, Any]:
    """The variables of the templates for one calculated scenario (documented above)."""
    scenario = result.scenario
    horizon_end = (scenario.last_year, 12)
    years = [_year(year, year.year in scenario.offset_years) for year in result.years]
    return {
        "title": scenario.title,
        "municipality": scenario.municipality,
        "reference": scenario.reference,
        "description": scenario.description,
        "stem": scenario.stem,
        "first_year": scenario.first_year,
        "last_year": scenario.last_year,
        "budget": {
            "product": scenario.budget.product,
            "expense_account": scenario.budget.expense_account,
            "income_account": scenario.budget.income_account,
        },
        "years": years,
        "year_groups": group_years(years),
        "totals": {key: sum(row[key] for row in years) for key in (*_AMOUNTS, "aufwand")},
        "positions": [
            {
                "name": position.name,
                "fte": position.fte,
                "start": position.start,
                "end": position.end,
                "funded": position.funded,
                "annual_cost": None if position.grading else scenario.annual_cost(position),
                "grade": position.grading.grade if position.grading else None,
                "step": position.grading.step if position.grading else None,
                "step_since": position.grading.step_since if position.grading else None,
            }
            for position in scenario.positions
        ],
        "funding": {
            "rate_per_fte": scenario.funding.rate_per_fte,
            "max_fte": scenario.funding.fte_cap,
            "cap_at_cost": scenario.funding.cap_at_cost,
            "percent_of_cost": scenario.funding.percent_of_cost,
            "covers_material": scenario.funding.covers_material,
            "end": scenario.funding.end,
        },
        "full_cost": scenario.full_cost,
        "without_funding": _without_funding(result),
        "sensitivitaet": _sensitivity(result),
        "offset_years": list(scenario.offset_years),
        "continues_after_horizon": any(
            position.end is None or (position.end.year, position.end.month) > horizon_end
            for position in scenario.positions
        ),
    }


def _sensitivity(result: Result) -> dict[str, Any] | None:
    """The variants of "Sensitivität", the six months' delay and the strongest; None without."""
    widest = result.widest()
    if widest is None:
        return None
    variants = [asdict(variant) for variant in result.sensitivity]
    by_name = {variant["name"]: variant for variant in variants}
    return {
        "varianten": variants,
        "start_6": by_name["Sens_Start_6"],
        "staerkste": by_name[widest.name],
    }


def _without_funding(result: Result) -> dict[str, Any] | None:
    """The first full Haushaltsjahr after the grant's last month, inside the horizon, and its
    Eigenanteil; None without an end or when that year lies beyond the horizon."""
    end = result.scenario.funding.end
    if end is None:
        return None
    year = max(end.year + 1, result.scenario.first_year)
    if year > result.scenario.last_year:
        return None
    return {"year": year, "eigenanteil": result.year(year).eigenanteil}


def _year(year: Year, covered: bool) -> dict[str, Any]:
    cents = round(year.eigenanteil, 2)
    kind = "mehrkosten" if cents > 0 else "ueberschuss" if cents < 0 else "keine"
    amounts = {key: getattr(year, key) for key in _AMOUNTS}
    accounts = [
        {"name": line.name, "account": line.account, "amount": getattr(year, line.field)}
        for line in ACCOUNT_LINES
        if getattr(year, line.field) is not None
    ]
    return {
        "year": year.year,
        **amounts,
        "aufwand": year.personalaufwand + year.sachaufwand,
        "covered": covered,
        "kind": kind,
        "filled": year.filled,
        "accounts": accounts,
    }


def shown_amount(year: Mapping[str, Any]) -> float | None:
    """The amount a year's sentence states, signed, as the sentence shows it.

    The Eigenanteil, or for "keine" the Aufwand that the funding covers (none when the
    year has no cost); to the cent when under 50 €, else to the nearest 100 € (`round_hundred`),
    as the templates' rule says: an Eigenanteil of 24850.0 → 24900.0, 30.004 → 30.0,
    −9000.0 → −9000.0; a "keine" year without cost → None.
    """
    value = year["aufwand"] if year["kind"] == "keine" else year["eigenanteil"]
    cents = round(value, 2)
    if year["kind"] == "keine" and cents <= 0:
        return None
    return cents if abs(cents) < 50 else float(german.round_hundred(value))


def _sentence_key(year: Mapping[str, Any]) -> tuple[Any, ...]:
    """What a year's sentence says besides the year: equal keys give equal sentences."""
    amount = shown_amount(year)
    posts = min(year["filled"], 2) if year["kind"] == "keine" and amount is None else None
    return (year["kind"], year["covered"], amount, posts)


def group_years(years: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Runs of consecutive years whose sentences differ only in the year (`_sentence_key`).

    `years`: the `years` variable, in calendar order. Returns one dict per run: `first_year`,
    `last_year` and `years` (the run's year dicts), so that a text says "Für 2025 bis 2028 …"
    once instead of four times. A year that follows a gap in the calendar starts a new run.
    """
    groups: list[dict[str, Any]] = []
    for year in years:
        last = groups[-1] if groups else None
        if (
            last is not None
            and last["last_year"] + 1 == year["year"]
            and _sentence_key(last["years"][-1]) == _sentence_key(year)
        ):
            last["years"].append(year)
            last["last_year"] = year["year"]
        else:
            groups.append({"first_year": year["year"], "last_year": year["year"], "years": [year]})
    return groups


# ---------------------------------------------------------------------------------------------
# Loading


def wrap(text: str, width: int = 96, indent: str = "") -> str:
    """Wrap each line of `text` at `width`; continuation lines start with `indent`."""
    lines = []
    for line in text.split("\n"):
        wrapped = textwrap.wrap(
            line, width, subsequent_indent=indent, break_on_hyphens=False, drop_whitespace=True
        )
        lines.extend(wrapped or [""])
    return "\n".join(lines)


FILTERS: Mapping[str, Callable[..., Any]] = {
    "euro": functools.partial(german.euro, space=german.NBSP),
    "number": german.number,
    "rund": functools.partial(german.rund, space=german.NBSP),
    "round_hundred": german.round_hundred,
    "vzae": functools.partial(german.vzae, space=german.NBSP),
    "month": functools.partial(german.month, space=german.NBSP),
    "wrap": wrap,
}
"""The filters the templates may use besides Jinja's own."""


def _environment(folder: Path) -> SandboxedEnvironment:
    environment = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folder, encoding="utf-8"),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2", "htm.j2", "xml.j2"),
            disabled_extensions=("txt.j2",),
            default=False,
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(FILTERS)
    return environment


def _compile(environment: SandboxedEnvironment, folder: Path, name: str) -> jinja2.Template:
    file = str(folder / name)
    if not (folder / name).is_file():
        needed = " and ".join(TEMPLATE_NAMES)
        problem = f"missing; a templates folder needs {needed} (copy them from {DEFAULT_TEMPLATES})"
        raise TemplateError(file, None, problem)
    try:
        source = (folder / name).read_text(encoding="utf-8")
        tree = environment.parse(source, name, file)
        _check_names(environment, tree, file)
        return environment.get_template(name)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(error.filename or file, error.lineno, error.message or "") from error
    except jinja2.TemplateError as error:  # e.g. an include of a missing template
        raise TemplateError(file, None, _describe(error)) from error
    except UnicodeDecodeError as error:
        raise TemplateError(file, None, "not UTF-8 text; save it as UTF-8") from error
    except OSError as error:
        raise TemplateError(file, None, f"cannot be read: {error.strerror or error}") from error


def _check_names(environment: SandboxedEnvironment, tree: nodes.Template, file: str) -> None:
    """An unknown top-level variable is an error even in a branch that is not rendered."""
    known = CONTEXT_KEYS | environment.globals.keys()
    unknown = meta.find_undeclared_variables(tree) - known
    if not unknown:
        return
    first = min(_uses(tree, unknown), key=lambda use: use[1])
    close = difflib.get_close_matches(first[0], sorted(CONTEXT_KEYS), n=1)
    hint = f'did you mean "{close[0]}"?' if close else "variables: " + ", ".join(sorted(known))
    raise TemplateError(file, first[1], f'unknown variable "{first[0]}"; {hint}')


def _uses(tree: nodes.Template, names: set[str]) -> Iterator[tuple[str, int]]:
    for node in tree.find_all(nodes.Name):
        if node.name in names and node.ctx == "load":
            yield node.name, node.lineno


# ---------------------------------------------------------------------------------------------
# Errors while rendering


def _failing_line(error: BaseException, template: jinja2.Template) -> tuple[str, int | None]:
    """The template file and line where rendering failed (Jinja maps its frames to them)."""
    if isinstance(error, jinja2.TemplateSyntaxError):  # in a template included while rendering
        return error.filename or str(error.name), error.lineno
    file = template.filename or str(template.name)
    folder = Path(file).resolve().parent
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if Path(frame.filename).resolve().parent == folder:
            return frame.filename, frame.lineno
    return file, None


def _describe(error: BaseException) -> str:
    if isinstance(error, jinja2.UndefinedError):
        return f"unknown variable or key: {error.message}"
    if isinstance(error, jinja2.TemplateSyntaxError):
        return error.message or "syntax error"
    if isinstance(error, jinja2.TemplateError):
        return error.message or type(error).__name__
    return f"{type(error).__name__}: {error}"
