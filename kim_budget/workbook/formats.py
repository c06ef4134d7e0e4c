"""Number formats, German as Excel shows them in a German locale (stored locale-neutral)."""

EURO = '#,##0.00 "€";[Red]-#,##0.00 "€"'
EURO_ROUND = '#,##0 "€";[Red]-#,##0 "€"'
VZAE = '0.000 "VZÄ"'
VZAE_PLAIN = "0.000"
VZAE_DISTRICT = "#,##0.000"
MONTH = "mm.yyyy"
YEAR = "0"
PREVIOUS_MONTH = '"Vormonat "mm.yyyy'
PERCENT = '0.00 "%"'
INDEX = "0.0000"
FLAG = "0"
BOOLEAN = '"WAHR";"WAHR";"FALSCH"'
"""A check's result, a real boolean (Prüfungen)."""
YES_NO = '"ja";"ja";"nein"'
"""A yes/no input: the number 1 shows as ja, 0 as nein. A number, not a boolean: a boolean is
typed by its name in the spreadsheet's language (WAHR, TRUE), and a name of another language is
text, which breaks every formula on it; 1 and 0 read the same in every locale and engine."""
COUNT = "0"
PEOPLE = "#,##0"
