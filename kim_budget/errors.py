"""Exceptions of kim-budget.

`KimBudgetError` is everything a user can cause and fix; the command line turns it into a
message and exit status 1. Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable


class KimBudgetError(Exception):
    """An error the user can fix: bad input, a file that cannot be written, a missing tool."""


class ScenarioError(KimBudgetError):
    """One problem in one scenario file, at one key path (shown as `validate.display_key`)."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        from kim_budget.validate import display_key  # validate imports this module

        self.file = file
        self.key = key
        self.problem = problem
        super().__init__(f"{file}: {display_key(key)}: {problem}" if key else f"{file}: {problem}")


class ScenarioErrors(KimBudgetError):
    """Several scenario problems, reported together so the user can fix them in one pass."""

    def __init__(self, errors: Iterable[ScenarioError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


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
