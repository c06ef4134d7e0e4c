"""Check generated workbooks against the model standard: `verify_workbooks`.

The standard follows the FAST Standard and the ICAEW Financial Modelling Code where a program
can see it. Each finding names the file, sheet, cell and rule (see `RULES`). The modules:

- `collect`: the workbooks named or found in folders;
- `package_xml`: opening one — its checked package (`kim_budget.package`), openpyxl's reading
  of it and what openpyxl reads lossily, from the XML (headers, ``calcPr``, named styles);
- `workbook`: the checks of one workbook in order, and `verify_workbooks`;
- `sheets`, `cells`, `names`: the rules applied to sheets, cells and defined names;
- `formula_rules`, `sheet_rules`: the rules themselves, over text and numbers (no openpyxl);
  Excel's rules for names live in `kim_budget.excel_names`, print geometry in
  `kim_budget.workbook.page` (the writer uses both);
- `engine`: LibreOffice's recalculation (E1);
- `report`: the rules' list, findings and the report.

Any file is read without an exception escaping: what is no readable workbook is one W0
finding saying what it is, and a workbook re-saved by LibreOffice or Gnumeric is judged by
what re-saving really changes (see README, "Checking a workbook").

LibreOffice recalculates all workbooks in one run (rule E1), when it is installed.

Importing this module does not import openpyxl; `verify_workbooks` does.
"""

from __future__ import annotations

from kim_budget.verify.report import (
    ENGINE_MISSING,
    MASTER_CHECK,
    RULES,
    TYPED_VALUE,
    Finding,
    Report,
)
from kim_budget.verify.workbook import verify_workbooks
from kim_budget.workbook.spec import INPUT_STYLE

__all__ = [
    "ENGINE_MISSING",
    "INPUT_STYLE",
    "MASTER_CHECK",
    "RULES",
    "TYPED_VALUE",
    "Finding",
    "Report",
    "verify_workbooks",
]
