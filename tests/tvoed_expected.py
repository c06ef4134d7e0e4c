"""Positions priced from the TVöD pay tables: scenario files and figures worked out by hand.

Each case is a scenario file and the figures it must give, written as the arithmetic a treasurer
would do on paper: literal table amounts from kim_budget/data/tvoed.toml and literal rates, one
comment per step. Nothing here calls kim_budget. Run this file to compare every figure with an
independent computation in decimal arithmetic from the scenario text and the shipped tables:

    python tests/tvoed_expected.py

The calculation (m a month, Y its year; nothing rounded inside):

- Stufe: a position holds `step` from `step_since` (default: `start`) and reaches the next after
  12, 24, 36, 48, 60 months in Stufe 1, 2, 3, 4, 5; never above 6.
- table amount: the Stufe's amount in the grade's table with the latest valid_from ≤ m, times the
  cost index of m (cost.increases, compounding from their month on).
- Tabellenentgelt = VZÄ × table amount; Zulage = VZÄ × allowance (not indexed);
  Leistungsentgelt = (Tabellenentgelt + Zulage) × performance_pay_percent / 100 (§ 18 TVöD:
  the "ständige Monatsentgelte", which include the monthly allowance).
- Jahressonderzahlung, booked in November of Y when the position is active in November and
  December: bonus(Y) / 100 × base × n / 12, n = active months in Y, base = the average of
  Tabellenentgelt + Zulage over the active months among July–September, or November's when
  none of them is active.
- Entgelte (5012) = Tabellenentgelt + Zulage + Leistungsentgelt + Jahressonderzahlung;
  Sozialversicherung (5032) = Entgelte × social_insurance(Y) / 100; Versorgungskasse (5022) =
  Entgelte × pension_fund(Y) / 100; a year's rate is the entry with the latest `from` ≤ Y.
- Personalaufwand = Entgelte + Sozialversicherung + Versorgungskasse; Förderung = funded VZÄ ×
  rate / 12 per month; Eigenanteil = Personalaufwand − Förderung.

Shipped rates used below: bonus 70.28 % (2024, 2025), 85.0 % (from 2026); social insurance
20.45 % (2024), 20.95 % (2025), 21.15 % (from 2026); pension fund 7.75 %; performance pay 2.0 %;
allowance 180 € for S 11b, S 12, S 14, 0 € for E grades.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent.parent / "kim_budget" / "data" / "tvoed.toml"

# The yearly lines every case gives, in the order of the workbook's Haushalt sheet.
LINES = (
    "Entgelte",
    "Sozialversicherung",
    "Versorgungskasse",
    "Personalaufwand",
    "Förderung",
    "Eigenanteil",
)
# The parts of Entgelte (account 5012).
PARTS = ("Tabellenentgelt", "Zulage", "Leistungsentgelt", "Jahressonderzahlung")

Figures = dict[str, float]


@dataclass(frozen=True)
class TvoedCase:
    """A scenario file and the figures it must give.

    `expected` holds the LINES per Haushaltsjahr, `parts` the PARTS per year, `monthly` all of
    them for the months that explain the case ("YYYY-MM").
    """

    name: str
    toml: str
    expected: dict[int, Figures]
    parts: dict[int, Figures]
    monthly: dict[str, Figures]


def figures(
    tabellenentgelt: float,
    zulage: float,
    jahressonderzahlung: float,
    social_insurance: float,
    pension_fund: float,
    foerderung: float,
    bases: tuple[float, float] | None = None,
) -> Figures:
    """Every line of a month or a year from its Tabellenentgelt, Zulage, bonus, rates, Förderung.

    The rest is the contract's arithmetic, the same for a month and for a year: Leistungsentgelt
    2 % of Tabellenentgelt + Zulage; Versorgungskasse a percentage of Entgelte; social insurance
    the health and care part (rate − 10.6) on the pay up to the health ceiling and the pension
    and unemployment part (10.6 %) on the pay up to the pension ceiling — `bases`, worked out by
    hand where a ceiling binds, else the whole Entgelte.
    """
    leistungsentgelt = (tabellenentgelt + zulage) * 2.0 / 100
    entgelte = tabellenentgelt + zulage + leistungsentgelt + jahressonderzahlung
    health, pension = bases if bases is not None else (entgelte, entgelte)
    sozialversicherung = health * (social_insurance - 10.6) / 100 + pension * 10.6 / 100
    versorgungskasse = entgelte * pension_fund / 100
    personalaufwand = entgelte + sozialversicherung + versorgungskasse
    return {
        "Tabellenentgelt": tabellenentgelt,
        "Zulage": zulage,
        "Leistungsentgelt": leistungsentgelt,
        "Jahressonderzahlung": jahressonderzahlung,
        "Entgelte": entgelte,
        "Sozialversicherung": sozialversicherung,
        "Versorgungskasse": versorgungskasse,
        "Personalaufwand": personalaufwand,
        "Förderung": foerderung,
        "Eigenanteil": personalaufwand - foerderung,
    }


def _case(
    name: str, toml: str, years: dict[int, Figures], monthly: dict[str, Figures]
) -> TvoedCase:
    """Split each year's figures into the LINES and the PARTS."""
    return TvoedCase(
        name=name,
        toml=toml,
        expected={year: {line: f[line] for line in LINES} for year, f in years.items()},
        parts={year: {part: f[part] for part in PARTS} for year, f in years.items()},
        monthly=monthly,
    )


NOTHING = figures(0, 0, 0, 0, 0, 0)

# ---------------------------------------------------------------------------------------------
# 1. The worked check: S 12, Stufe 3 since 2024-01, 1.0 VZÄ, all of 2025; horizon 2025–2025.

WORKED_CHECK_TOML = """\
title = "S 12 Stufe 3, 1,0 VZÄ, ganzjährig 2025"

[horizon]
first_year = 2025
last_year = 2025

[[positions]]
name = "Case Management KIM"
fte = 1.0
start = "2025-01"
grade = "S 12"
step = 3
step_since = "2024-01"

[funding]
rate_per_fte = 57000
"""

# The figures of the worked check, to the cent.
WORKED_CHECK = {
    "Tabellenentgelt": 53198.31,
    "Zulage": 2160.00,
    "Leistungsentgelt": 1107.17,  # 2 % × (53,198.31 + 2,160.00)
    "Jahressonderzahlung": 3265.00,
    "Entgelte": 59730.48,  # 53,198.31 + 2,160.00 + 1,107.17 + 3,265.00
    "Sozialversicherung": 12513.54,  # 20.95 % of Entgelte (below both ceilings)
    "Versorgungskasse": 4629.11,  # 7.75 % of Entgelte
    "Personalaufwand": 76873.13,
    "Förderung": 57000.00,
    "Eigenanteil": 19873.13,
}


def _worked_check() -> TvoedCase:
    # Stufe 3 from 2024-01 lasts 36 months: Stufe 4 only from 2027-01, so all of 2025 is Stufe 3.
    # Jan–Mar: S 12 table of 2024-03, Stufe 3 = 4,335.64; Apr–Dec: table of 2025-04 = 4,465.71.
    tabellenentgelt = 1.0 * (3 * 4335.64 + 9 * 4465.71)  # 53,198.31
    zulage = 1.0 * 12 * 180  # 2,160.00
    # Bonus 2025 70.28 %, active all year (n = 12); base: Jul, Aug, Sep each 4,465.71 + 180.
    jahressonderzahlung = 70.28 / 100 * (4465.71 + 180) * 12 / 12  # 3,265.00
    # Social insurance 2025 20.95 %, pension fund 7.75 %; Förderung 12 × 1.0 × 57,000 / 12.
    year = figures(tabellenentgelt, zulage, jahressonderzahlung, 20.95, 7.75, 12 * 1.0 * 57000 / 12)
    # → Leistungsentgelt 1,063.97; Entgelte 59,687.28; Sozialversicherung 12,504.49;
    #   Versorgungskasse 4,625.76; Personalaufwand 76,817.53; Eigenanteil 19,817.53.
    monthly = {
        # March, last month of the 2024 table: 4,335.64 + 180 + 86.71 = 4,602.35 Entgelte.
        "2025-03": figures(4335.64, 180, 0, 20.95, 7.75, 57000 / 12),
        # April, the 2025 table: 4,465.71 + 180 + 89.31 = 4,735.02 Entgelte.
        "2025-04": figures(4465.71, 180, 0, 20.95, 7.75, 57000 / 12),
        # November carries the bonus: 4,735.0242 + 3,265.0050 = 8,000.03 Entgelte.
        "2025-11": figures(4465.71, 180, jahressonderzahlung, 20.95, 7.75, 57000 / 12),
    }
    return _case("worked_check_s12_stufe3_2025", WORKED_CHECK_TOML, {2025: year}, monthly)


# ---------------------------------------------------------------------------------------------
# 2. Part-time from October 2024: S 11b, 0.5 VZÄ, Stufe 1 from the start; horizon 2024–2026.

PART_TIME_TOML = """\
title = "S 11b, 0,5 VZÄ ab Oktober 2024"

[horizon]
first_year = 2024
last_year = 2026

[[positions]]
name = "Case Management KIM (Teilzeit)"
fte = 0.5
start = "2024-10"
grade = "S 11b"
step = 1                # step_since defaults to the start, 2024-10

[funding]
rate_per_fte = 57000
"""


def _part_time() -> TvoedCase:
    # Stufe 1 from 2024-10 for 12 months: Stufe 2 from 2025-10; Stufe 3 only from 2027-10.
    # Allowance 0.5 × 180 = 90 € a month.
    #
    # 2024: Oct–Dec, S 11b table of 2024-03, Stufe 1 = 3,697.55.
    tab_2024 = 0.5 * 3 * 3697.55  # 5,546.33
    zul_2024 = 0.5 * 3 * 180  # 270.00
    # Bonus 70.28 %: active in Nov and Dec; n = 3 (Oct–Dec); not active Jul–Sep, so the base is
    # November's Tabellenentgelt + Zulage = 0.5 × 3,697.55 + 90 = 1,938.78.
    jsz_2024 = 70.28 / 100 * (0.5 * 3697.55 + 0.5 * 180) * 3 / 12  # 340.64
    # Social insurance 2024 20.45 %; Förderung 3 months × 0.5 × 57,000 / 12 = 7,125.
    y2024 = figures(tab_2024, zul_2024, jsz_2024, 20.45, 7.75, 3 * 0.5 * 57000 / 12)
    # → Entgelte 6,267.89; Personalaufwand 8,035.44; Eigenanteil 910.44.
    #
    # 2025: Jan–Mar 2024 table Stufe 1 = 3,697.55; Apr–Sep 2025 table Stufe 1 = 3,808.48;
    # Oct–Dec Stufe 2, 2025 table = 4,067.31.
    tab_2025 = 0.5 * (3 * 3697.55 + 6 * 3808.48 + 3 * 4067.31)  # 23,072.73
    zul_2025 = 0.5 * 12 * 180  # 1,080.00
    # Bonus 70.28 %, n = 12; base: Jul–Sep, all Stufe 1 of the 2025 table: 0.5 × 3,808.48 + 90.
    jsz_2025 = 70.28 / 100 * (0.5 * 3808.48 + 0.5 * 180) * 12 / 12  # 1,401.55
    # Social insurance 2025 20.95 %; Förderung 12 × 0.5 × 57,000 / 12 = 28,500.
    y2025 = figures(tab_2025, zul_2025, jsz_2025, 20.95, 7.75, 12 * 0.5 * 57000 / 12)
    # → Entgelte 26,015.74; Personalaufwand 33,482.25; Eigenanteil 4,982.25.
    #
    # 2026: Stufe 2 all year; Jan–Apr 2025 table = 4,067.31; May–Dec 2026 table = 4,181.19.
    tab_2026 = 0.5 * (4 * 4067.31 + 8 * 4181.19)  # 24,859.38
    zul_2026 = 0.5 * 12 * 180  # 1,080.00
    # Bonus from 2026 85 %, n = 12; base Jul–Sep: 0.5 × 4,181.19 + 90.
    jsz_2026 = 85.0 / 100 * (0.5 * 4181.19 + 0.5 * 180) * 12 / 12  # 1,853.51
    # Social insurance 2026 21.15 %.
    y2026 = figures(tab_2026, zul_2026, jsz_2026, 21.15, 7.75, 12 * 0.5 * 57000 / 12)
    # → Entgelte 28,290.07; Personalaufwand 36,465.90; Eigenanteil 7,965.90.
    monthly = {
        # The first bonus, pro rata 3/12, booked in November 2024.
        "2024-11": figures(0.5 * 3697.55, 0.5 * 180, jsz_2024, 20.45, 7.75, 0.5 * 57000 / 12),
        # Stufe 1 in September 2025, Stufe 2 from October 2025.
        "2025-09": figures(0.5 * 3808.48, 0.5 * 180, 0, 20.95, 7.75, 0.5 * 57000 / 12),
        "2025-10": figures(0.5 * 4067.31, 0.5 * 180, 0, 20.95, 7.75, 0.5 * 57000 / 12),
    }
    years = {2024: y2024, 2025: y2025, 2026: y2026}
    return _case("part_time_from_october_s11b", PART_TIME_TOML, years, monthly)


# ---------------------------------------------------------------------------------------------
# 3. A post ending in November 2025: no bonus that year. E 10, no allowance; horizon 2025–2026.

ENDS_IN_NOVEMBER_TOML = """\
title = "E 10, befristet bis November 2025"

[horizon]
first_year = 2025
last_year = 2026

[[positions]]
name = "Sachbearbeitung KIM"
fte = 1.0
start = "2025-01"
end = "2025-11"
grade = "E 10"
step = 2
step_since = "2023-05"

[funding]
rate_per_fte = 57000
"""


def _ends_in_november() -> TvoedCase:
    # Stufe 2 from 2023-05 lasts 24 months: Stufe 3 from 2025-05.
    # Jan–Mar: E 10 table of 2024-03, Stufe 2 = 4,191.53; Apr: table of 2025-04, Stufe 2 =
    # 4,317.28; May–Nov: Stufe 3 = 4,664.10. E 10 has no allowance.
    tab_2025 = 3 * 4191.53 + 1 * 4317.28 + 7 * 4664.10  # 49,540.57
    # Active in November but not in December: no Jahressonderzahlung in 2025.
    # Förderung for the 11 filled months: 11 × 1.0 × 57,000 / 12 = 52,250.
    y2025 = figures(tab_2025, 0, 0, 20.95, 7.75, 11 * 1.0 * 57000 / 12)
    # → Entgelte 50,531.38; Personalaufwand 65,033.89; Eigenanteil 12,783.89.
    monthly = {
        "2025-04": figures(4317.28, 0, 0, 20.95, 7.75, 57000 / 12),
        "2025-05": figures(4664.10, 0, 0, 20.95, 7.75, 57000 / 12),
        # The last month: its pay, but no bonus.
        "2025-11": figures(4664.10, 0, 0, 20.95, 7.75, 57000 / 12),
        "2025-12": NOTHING,
    }
    # 2026: the post has ended; nothing.
    years = {2025: y2025, 2026: NOTHING}
    return _case("ends_in_november_e10", ENDS_IN_NOVEMBER_TOML, years, monthly)


# ---------------------------------------------------------------------------------------------
# 4. The scenario's own S 12 table from 2027-04 and a cost increase of 2 % from 2028-04;
#    horizon 2026–2028.

OWN_TABLE_TOML = """\
title = "S 12 mit eigener Tabelle ab April 2027 und 2 % ab April 2028"

[horizon]
first_year = 2026
last_year = 2028

[[positions]]
name = "Case Management KIM"
fte = 1.0
start = "2024-10"
grade = "S 12"
step = 3
step_since = "2023-04"

[cost]
increases = [{ from = "2028-04", percent = 2.0 }]

[funding]
rate_per_fte = 57000

[[tvoed.pay_tables]]
grade = "S 12"
valid_from = "2027-04"
steps = [4087.00, 4364.62, 4728.47, 5050.64, 5449.53, 5618.29]
"""


def _own_table() -> TvoedCase:
    # Stufe 3 from 2023-04 lasts 36 months: Stufe 4 from 2026-04; Stufe 5 only from 2030-04.
    #
    # 2026: Jan–Mar Stufe 3, table of 2025-04 = 4,465.71; Apr Stufe 4, same table = 4,769.97;
    # May–Dec Stufe 4, table of 2026-05 = 4,903.53.
    tab_2026 = 3 * 4465.71 + 1 * 4769.97 + 8 * 4903.53  # 57,395.34
    # Bonus 85 %, n = 12; base Jul–Sep: 4,903.53 + 180.
    jsz_2026 = 85.0 / 100 * (4903.53 + 180) * 12 / 12  # 4,321.00
    # Social insurance 2026 21.15 %, pension fund 7.75 %; Förderung 57,000.
    y2026 = figures(tab_2026, 12 * 180, jsz_2026, 21.15, 7.75, 57000)
    # → Entgelte 65,024.25; Personalaufwand 83,816.25; Eigenanteil 26,816.25.
    #
    # 2027: Jan–Mar table of 2026-05, Stufe 4 = 4,903.53; Apr–Dec the scenario's table of
    # 2027-04, Stufe 4 = 5,050.64. The 2026 rates continue: bonus 85 %, social insurance
    # 21.15 %.
    tab_2027 = 3 * 4903.53 + 9 * 5050.64  # 60,166.35
    jsz_2027 = 85.0 / 100 * (5050.64 + 180) * 12 / 12  # 4,446.04
    y2027 = figures(tab_2027, 12 * 180, jsz_2027, 21.15, 7.75, 57000)
    # → Entgelte 67,975.72; Personalaufwand 87,620.70; Eigenanteil 30,620.70.
    #
    # 2028: the scenario's table, Stufe 4 = 5,050.64; from April × 1.02 (cost increase) =
    # 5,151.65. The allowance is not indexed.
    tab_2028 = 3 * 5050.64 + 9 * 5050.64 * 1.02  # 61,516.80
    jsz_2028 = 85.0 / 100 * (5050.64 * 1.02 + 180) * 12 / 12  # 4,531.90
    # The bonus meets the health ceiling (2026's 69,750 € continues): of the pro-rata ceiling
    # of January–November, 11 × 69,750 / 12 = 63,937.50, the monthly pay (Tabellenentgelt,
    # Zulage and 2 % Leistungsentgelt on both) used 3 × 5,335.25 + 8 × 5,438.28 = 59,512.00;
    # only the remaining 4,425.50 of the bonus count for health and care.
    used = (3 * (5050.64 + 180) + 8 * (5050.64 * 1.02 + 180)) * 1.02
    room = 11 * 69750 / 12 - used
    entgelte_2028 = tab_2028 + 12 * 180 + (tab_2028 + 12 * 180) * 0.02 + jsz_2028
    bases = (entgelte_2028 - (jsz_2028 - room), entgelte_2028)
    y2028 = figures(tab_2028, 12 * 180, jsz_2028, 21.15, 7.75, 57000, bases)
    # → Entgelte 69,485.41; Sozialversicherung 14,684.26 (11.23 € below the rate on all of it).
    monthly = {
        # Stufe 4 reached in April 2026, still in the 2025 table.
        "2026-04": figures(4769.97, 180, 0, 21.15, 7.75, 57000 / 12),
        # The scenario's own table from April 2027.
        "2027-04": figures(5050.64, 180, 0, 21.15, 7.75, 57000 / 12),
        # The cost increase from April 2028 raises the table amount, not the allowance.
        "2028-04": figures(5050.64 * 1.02, 180, 0, 21.15, 7.75, 57000 / 12),
    }
    years = {2026: y2026, 2027: y2027, 2028: y2028}
    return _case("own_table_2027_and_increase_2028", OWN_TABLE_TOML, years, monthly)


# ---------------------------------------------------------------------------------------------
# 5. S 14, Stufe 6, all of 2027, above both ceilings: the shipped health ceiling and, for the
#    test, a pension ceiling of 72,000 € set in the file; horizon 2027–2027.

ABOVE_CEILINGS_TOML = """\
title = "S 14 Stufe 6 über beiden Beitragsbemessungsgrenzen"

[horizon]
first_year = 2027
last_year = 2027

[[positions]]
name = "Case Management KIM"
fte = 1.0
start = "2025-01"
grade = "S 14"
step = 6

[funding]
rate_per_fte = 57000

[tvoed]
pension_ceiling = [{ from = 2024, amount = 72000.0 }]
"""


def _above_ceilings() -> TvoedCase:
    # Table of 2026-05 all year, Stufe 6 = 5,652.06; allowance 180; bonus 85 % × (5,652.06 + 180).
    tab = 12 * 5652.06  # 67,824.72
    jsz = 85.0 / 100 * (5652.06 + 180) * 12 / 12  # 4,957.25
    monthly = (5652.06 + 180) * 1.02  # 5,948.70 with the Leistungsentgelt
    # Health and care: every month above 69,750 / 12 = 5,812.50, so the months use the whole
    # pro-rata ceiling of January–November and none of the bonus counts: 12 × 5,812.50.
    health = 12 * 69750 / 12  # 69,750.00
    # Pension and unemployment: the months stay below 72,000 / 12 = 6,000; of the pro-rata
    # ceiling 11 × 6,000 = 66,000 they use 11 × 5,948.70 = 65,435.71: 564.29 of the bonus count.
    bonus_part = 11 * 72000 / 12 - 11 * monthly
    pension = 12 * monthly + bonus_part  # 71,948.70
    year = figures(tab, 12 * 180, jsz, 21.15, 7.75, 57000, (health, pension))
    # → Sozialversicherung 69,750 × 10.55 % + 71,948.70 × 10.6 % = 14,985.19;
    #   Personalaufwand 97,243.33; Eigenanteil 40,243.33.
    months = {
        # An ordinary month and the bonus month: Leistungsentgelt 2 % × (5,652.06 + 180).
        # Health and care on the monthly ceiling, pension and unemployment on the whole pay.
        "2027-03": figures(5652.06, 180, 0, 21.15, 7.75, 57000 / 12, (69750 / 12, monthly)),
        # November adds the 564.29 of the bonus that the pension ceiling leaves.
        "2027-11": figures(
            5652.06, 180, jsz, 21.15, 7.75, 57000 / 12, (69750 / 12, monthly + bonus_part)
        ),
    }
    return _case("s14_stufe6_above_both_ceilings", ABOVE_CEILINGS_TOML, {2027: year}, months)


CASES: list[TvoedCase] = [
    _worked_check(),
    _part_time(),
    _ends_in_november(),
    _own_table(),
    _above_ceilings(),
]


# ---------------------------------------------------------------------------------------------
# An independent computation in decimal arithmetic, month by month, from the scenario text and
# the shipped data file (read with tomllib). It shares nothing with the figures above but the
# contract; run this file to compare the two.

Month = int  # months since year 0: year × 12 + month − 1
Table = dict[str, Any]
Exact = dict[str, Decimal]


def _month(text: str) -> Month:
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def _dec(value: float) -> Decimal:
    return Decimal(str(value))


def _rate(entries: list[Table], year: int) -> Decimal:
    """The percent of the entry with the latest `from` ≤ year."""
    latest = max((e for e in entries if e["from"] <= year), key=lambda e: e["from"])
    return _dec(latest["percent"])


def _amount(entries: list[Table], year: int) -> Decimal:
    """The amount of the entry with the latest `from` ≤ year."""
    latest = max((e for e in entries if e["from"] <= year), key=lambda e: e["from"])
    return _dec(latest["amount"])


def _stufe(step: int, since: Month, month: Month, months_in_step: list[int]) -> int:
    """The Stufe in `month` of a position that holds `step` from `since`."""
    while step < 6 and month >= since + months_in_step[step - 1]:
        since += months_in_step[step - 1]
        step += 1
    return step


@dataclass(frozen=True)
class _Reference:
    """The shipped data with the scenario's [tvoed] and [cost] over it."""

    scenario: Table
    shipped: Table

    def setting(self, key: str) -> Any:
        """The scenario's [tvoed] value of `key`, else the shipped one."""
        return self.scenario.get("tvoed", {}).get(key, self.shipped[key])

    def index(self, month: Month) -> Decimal:
        result = Decimal(1)
        for inc in self.scenario.get("cost", {}).get("increases", []):
            if _month(inc["from"]) <= month:
                result *= 1 + _dec(inc["percent"]) / 100
        return result

    def pay(self, position: Table, month: Month) -> tuple[Decimal, Decimal]:
        """Tabellenentgelt and Zulage of a month."""
        grade = position["grade"]
        since = _month(position.get("step_since") or position["start"])
        stufe = _stufe(position["step"], since, month, self.shipped["step_rules"]["months_in_step"])
        tables = self.shipped["pay_tables"] + self.scenario.get("tvoed", {}).get("pay_tables", [])
        valid = [t for t in tables if t["grade"] == grade and _month(t["valid_from"]) <= month]
        table = max(valid, key=lambda t: _month(t["valid_from"]))
        allowances = {a["grade"]: a["per_month"] for a in self.shipped["allowances"]}
        fte = _dec(position["fte"])
        allowance = _dec(position.get("allowance", allowances[grade]))
        return fte * _dec(table["steps"][stufe - 1]) * self.index(month), fte * allowance

    def bonus(self, position: Table, year: int) -> Decimal:
        """The Jahressonderzahlung booked in November of `year`."""
        november = year * 12 + 10
        if not (_active(position, november) and _active(position, november + 1)):
            return Decimal(0)
        n = sum(_active(position, year * 12 + k) for k in range(12))
        summer = [year * 12 + k for k in (6, 7, 8) if _active(position, year * 12 + k)]
        base_months = summer or [november]
        pay = [tab + zul for tab, zul in (self.pay(position, k) for k in base_months)]
        base = sum(pay, Decimal(0)) / len(pay)
        return _rate(self.setting("bonus"), year) / 100 * base * n / 12

    def ongoing(self, position: Table, month: Month) -> Decimal:
        """The month's pay without the bonus: Tabellenentgelt, Zulage, Leistungsentgelt."""
        if not _active(position, month):
            return Decimal(0)
        tab, zul = self.pay(position, month)
        return (tab + zul) * (1 + _dec(self.setting("performance_pay_percent")) / 100)

    def assessed(self, position: Table, month: Month) -> tuple[Decimal, Decimal]:
        """The pay of a month that health/care and pension/unemployment insurance are assessed
        on: each up to 1/12 of its yearly ceiling per person (a position above 1 VZÄ counts as
        full-time posts); in November also the bonus, up to what the pro-rata ceiling of
        January–November leaves after the monthly pay (§ 23a SGB IV)."""
        year = month // 12
        persons = max(Decimal(1), _dec(position["fte"]))
        found = []
        for name in ("health_ceiling", "pension_ceiling"):
            cap = _amount(self.setting(name), year) / 12 * persons
            base = min(self.ongoing(position, month), cap)
            if month % 12 == 10:
                so_far = range(year * 12, month + 1)
                used = sum((min(self.ongoing(position, k), cap) for k in so_far), Decimal(0))
                filled = sum(_active(position, k) for k in so_far)
                room = max(Decimal(0), cap * filled - used)
                base += min(self.bonus(position, year), room)
            found.append(base)
        return found[0], found[1]

    def month(self, month: Month) -> Exact:
        """Every line of one month."""
        year = month // 12
        f = dict.fromkeys((*PARTS, *LINES), Decimal(0))
        performance = _dec(self.setting("performance_pay_percent"))
        rate = _dec(self.scenario["funding"]["rate_per_fte"])
        for p in self.scenario["positions"]:
            if _active(p, month):
                tab, zul = self.pay(p, month)
                f["Tabellenentgelt"] += tab
                f["Zulage"] += zul
                f["Leistungsentgelt"] += (tab + zul) * performance / 100
                if p.get("funded", True):
                    f["Förderung"] += _dec(p["fte"]) * rate / 12
            if month % 12 == 10:
                f["Jahressonderzahlung"] += self.bonus(p, year)
        f["Entgelte"] = sum((f[part] for part in PARTS), Decimal(0))
        social_insurance = _rate(self.setting("social_insurance"), year)
        pension_fund = _rate(self.setting("pension_fund"), year)
        pension_part = _rate(self.setting("pension_unemployment"), year)
        health, pension = (Decimal(0), Decimal(0))
        for p in self.scenario["positions"]:
            h, r = self.assessed(p, month)
            health, pension = health + h, pension + r
        f["Sozialversicherung"] = (
            health * (social_insurance - pension_part) / 100 + pension * pension_part / 100
        )
        f["Versorgungskasse"] = f["Entgelte"] * pension_fund / 100
        f["Personalaufwand"] = f["Entgelte"] + f["Sozialversicherung"] + f["Versorgungskasse"]
        f["Eigenanteil"] = f["Personalaufwand"] - f["Förderung"]
        return f


def _active(position: Table, month: Month) -> bool:
    end = _month(position["end"]) if "end" in position else None
    return _month(position["start"]) <= month and (end is None or month <= end)


def reference_figures(case: TvoedCase) -> tuple[dict[int, Exact], dict[str, Exact]]:
    """Every line per year and per month ("YYYY-MM") of the case, in decimal arithmetic."""
    shipped = tomllib.loads(DATA.read_text(encoding="utf-8"))
    reference = _Reference(tomllib.loads(case.toml), shipped)
    horizon = reference.scenario["horizon"]
    yearly: dict[int, Exact] = {}
    monthly: dict[str, Exact] = {}
    for year in range(horizon["first_year"], horizon["last_year"] + 1):
        months = {f"{year}-{m:02d}": reference.month(year * 12 + m - 1) for m in range(1, 13)}
        monthly.update(months)
        yearly[year] = {
            line: sum((f[line] for f in months.values()), Decimal(0)) for line in (*PARTS, *LINES)
        }
    return yearly, monthly


def differences(case: TvoedCase, tolerance: float = 0.005) -> list[str]:
    """Every figure of the case that differs from the decimal computation by more than tolerance."""
    yearly, monthly = reference_figures(case)
    wanted = [(str(y), {**case.parts[y], **lines}, yearly[y]) for y, lines in case.expected.items()]
    wanted += [(m, lines, monthly[m]) for m, lines in case.monthly.items()]
    return [
        f"{case.name} {when} {line}: {amount:.4f} ≠ {exact[line]:.4f}"
        for when, lines, exact in wanted
        for line, amount in lines.items()
        if abs(float(exact[line]) - amount) > tolerance
    ]


def _cents(amount: float) -> Decimal:
    return Decimal(str(amount)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _print_case(case: TvoedCase) -> None:
    yearly, monthly = reference_figures(case)
    print(f"\n{case.name}")
    for year, expected in case.expected.items():
        for line, amount in {**case.parts[year], **expected}.items():
            print(f"  {year} {line:<20} {amount:>12,.2f}  decimal {yearly[year][line]:>14,.4f}")
    for month, expected in case.monthly.items():
        for line, amount in expected.items():
            print(f"  {month} {line:<20} {amount:>10,.2f}  decimal {monthly[month][line]:>12,.4f}")


if __name__ == "__main__":
    for each in CASES:
        _print_case(each)
    problems = [p for each in CASES for p in differences(each)]
    worked = {**CASES[0].expected[2025], **CASES[0].parts[2025]}
    problems += [
        f"worked check {line}: {worked[line]:.4f} does not round to {cents:.2f}"
        for line, cents in WORKED_CHECK.items()
        if _cents(worked[line]) != _cents(cents)
    ]
    print("\n" + "\n".join(problems or ["All figures agree with the decimal computation."]))
