"""kim-budget: formula-backed budget workbooks for KIM case-management posts."""

__version__ = "0.1.0"
