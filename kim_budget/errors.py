"""Exceptions of kim-budget.

Two separate families, so that a defect can never pass for a user's mistake:

- `KimBudgetError` is everything a user can cause and fix (bad input, a file that cannot be
  written, a missing tool); the command line turns it into a message and exit status 1.
- `InternalError` is a defect of kim-budget that its own consistency checks caught (the
  finished workbook lacks what the layout put into it, the workbook's own checks fail); the
  command line asks for a report and exits with status 2, without a traceback.

Any other exception is an unforeseen bug; the command line reports it as one (exit status 2)
without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable

from kim_budget.messages import display_key, printable


class KimBudgetError(Exception):
    """An error the user can fix: bad input, a file that cannot be written, a missing tool."""


class InternalError(Exception):
    """A defect of kim-budget, caught by its own checks; nothing the user can fix. Says what was
    expected and not found."""


class ScenarioError(KimBudgetError):
    """One problem in one scenario file, at one key path (shown as `messages.display_key`)."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        shown = printable(file)
        super().__init__(
            f"{shown}: {display_key(key)}: {problem}" if key else f"{shown}: {problem}"
        )


class ScenarioErrors(KimBudgetError):
    """Several scenario problems, reported together so the user can fix them in one pass."""

    def __init__(self, errors: Iterable[ScenarioError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


class EngineError(KimBudgetError, RuntimeError):
    """A spreadsheet engine is missing, failed, timed out or produced no output; the message's
    first line says so, further lines quote the engine's own output."""


class OutputError(KimBudgetError):
    """An output file could not be produced or written."""


class TemplateError(OutputError):
    """A text template cannot be loaded, compiled or rendered; names the template and line."""

    def __init__(self, template: str, line: int | None, problem: str) -> None:
        self.template = template
        self.line = line
        self.problem = problem
        where = f"{template}: line {line}" if line is not None else template
        super().__init__(f"{where}: {problem}")
