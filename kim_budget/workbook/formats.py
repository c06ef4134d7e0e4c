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
COUNT = "0"
PEOPLE = "#,##0"
