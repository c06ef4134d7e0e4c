"""The calculated lines of the model, each defined exactly once.

Every function here takes expressions (cell references, or formulas built from them) and
returns the expression of one cell. The workbook layout calls them, which is the only place
where lines are connected; the cell renders as its Excel formula, and the same expression,
evaluated in Python, gives the value the file caches and the figures of the council texts.
Signs follow the budget: amounts are positive, Eigenanteil = Personalaufwand − Förderung
(Aufwand − Ertrag).
"""

from __future__ import annotations

from collections.abc import Sequence

from kim_budget.formula import (
    Expr,
    Num,
    Range,
    Text,
    all_of,
    both,
    call,
    equals,
    flag,
    floor,
    largest,
    maximum,
    minimum,
    month_before_year,
    next_month,
    pick,
    pick_cell,
    position_at_most,
    smallest,
    sum_of_products,
    sum_where,
    sum_where_all,
    total,
    when,
    year_of,
)


def timeline_anchor(first_year: Expr) -> Expr:
    """The month before the horizon (December of the previous year): the axis' starting point."""
    return month_before_year(first_year)


def month_after(previous_month: Expr) -> Expr:
    """Each month of the time axis is the month after the previous one."""
    return next_month(previous_month)


def haushaltsjahr(month: Expr) -> Expr:
    """The budget year of a month (the calendar year)."""
    return year_of(month)


def year_after(previous_year: Expr, first_year: Expr) -> Expr:
    """Each budget year column is the year after the previous column, starting at first_year.

    In the workbook the first year column's "previous" is the header "Summe": MAX ignores text
    in a reference, so MAX(previous, first_year − 1) + 1 gives first_year there.
    """
    return maximum(previous_year, first_year - 1) + 1


def in_effect(month: Expr, start: Expr) -> Expr:
    """1 from the month containing `start` on, else 0 (start may be any day of its month)."""
    return flag(start < next_month(month))


def active(month: Expr, start: Expr, end: Expr | None) -> Expr:
    """1 while a position is filled: from its start month to its end month inclusive."""
    if end is None:
        return in_effect(month, start)
    return flag(both(start < next_month(month), month <= end))


def index_after(previous: Expr | None, percent: Expr, in_force: Expr) -> Expr:
    """An index after one more increase: previous × (1 + percent/100 × in_force)."""
    factor = 1 + percent / 100 * in_force
    return factor if previous is None else previous * factor


def position_cost(is_active: Expr, fte: Expr, annual_cost: Expr, cost_index: Expr) -> Expr:
    """Personalaufwand of one position in one month: active × VZÄ × annual cost × index / 12."""
    return is_active * fte * annual_cost * cost_index / 12


def sachaufwand(is_active: Expr, fte: Expr, material_per_fte: Expr, material_index: Expr) -> Expr:
    """Sachaufwand of one position in one month: active × VZÄ × Sachkosten je VZÄ und Jahr ×
    Sachkostenindex / 12."""
    return is_active * fte * material_per_fte * material_index / 12


def funded_share(amount: Expr, funded: Expr) -> Expr:
    """The part of a position's amount (VZÄ or cost) that counts towards funding."""
    return amount * funded


def filled_fte(is_active: Expr, fte: Expr) -> Expr:
    """VZÄ of a position that are filled in a month."""
    return is_active * fte


def sum_of(parts: Sequence[Expr] | Range) -> Expr:
    """A total of several lines (e.g. Personalaufwand over all positions)."""
    return total(parts)


def sum_of_year(years: Range, year: Expr, values: Range) -> Expr:
    """The sum of a monthly line over the months of one Haushaltsjahr (SUMIF)."""
    return sum_where(years, year, values)


def covered(is_offset_year: Expr) -> Expr:
    """1 when the year's Eigenanteil is covered inside the existing personnel budget, else 0."""
    return flag(is_offset_year)


def share_cap(district_fte: Expr, population: Expr, district_population: Expr) -> Expr:
    """The municipality's share of the district's posts: district VZÄ × population / district's."""
    return district_fte * population / district_population


def capped_fte(fte: Expr, cap: Expr | None) -> Expr:
    """Funded VZÄ, never above the cap (when there is one)."""
    return fte if cap is None else minimum(fte, cap)


def foerderung_before_cap(funded_fte: Expr, rate: Expr, funding_index: Expr) -> Expr:
    """Förderung of a month: funded VZÄ × rate per VZÄ and year × index / 12."""
    return funded_fte * rate * funding_index / 12


def foerderung(before_cap: Expr, cap_at_cost: Expr, funded_cost: Expr) -> Expr:
    """Förderung, with cap_at_cost never above the month's cost of the funded positions."""
    return when(cap_at_cost, minimum(before_cap, funded_cost), before_cap)


def eligible_cost(funded_personnel: Expr, covers_material: Expr, funded_material: Expr) -> Expr:
    """The cost a funding share applies to: the funded positions' Personalaufwand, and their
    Sachaufwand when it counts (covers_material = 1, ja)."""
    return funded_personnel + covers_material * funded_material


def foerderung_by_share(eligible: Expr, percent: Expr) -> Expr:
    """Förderung as a share of the eligible cost: eligible × Förderquote / 100."""
    return eligible * percent / 100


def at_most_lump_sum(by_share: Expr, lump_sum: Expr) -> Expr:
    """A funding share never above the lump sum per funded VZÄ (its maximum)."""
    return minimum(by_share, lump_sum)


def funded_period(month: Expr, end: Expr) -> Expr:
    """1 in the months of the grant's period (up to and including its last month), else 0."""
    return flag(month <= end)


def in_period(amount: Expr, in_force: Expr) -> Expr:
    """An amount in the months of the grant's period, 0 after it."""
    return amount * in_force


def first_year_without_funding(end: Expr, first_year: Expr) -> Expr:
    """The first full Haushaltsjahr after the grant's last month (not before the horizon)."""
    return maximum(year_of(end) + 1, first_year)


def in_horizon(year: Expr, last_year: Expr, values: Range, first_year: Expr) -> Expr:
    """A yearly value of the horizon by its year; a note instead when the year lies beyond."""
    return when(year <= last_year, pick(values, year - first_year + 1), Text("nach dem Zeitraum"))


def eigenanteil(personalaufwand: Expr, sachaufwand: Expr, foerderung: Expr) -> Expr:
    """Eigenanteil = Personalaufwand + Sachaufwand − Förderung (Aufwand − Ertrag)."""
    return personalaufwand + sachaufwand - foerderung


def gemeinkosten(personalaufwand: Expr, percent: Expr) -> Expr:
    """Gemeinkosten (calculated, no expense): the overhead surcharge in % of Personalaufwand."""
    return personalaufwand * percent / 100


def vollkosten(personalaufwand: Expr, sachaufwand: Expr, gemeinkosten: Expr) -> Expr:
    """The full cost of the posts: Personalaufwand + Sachaufwand + Gemeinkosten."""
    return personalaufwand + sachaufwand + gemeinkosten


def difference(aufwand: Expr, ertrag: Expr) -> Expr:
    """Aufwand − Ertrag (Eigenanteil = Personalaufwand − Förderung; Belastung likewise)."""
    return aufwand - ertrag


def deckung(eigenanteil: Expr, covered: Expr) -> Expr:
    """The part of the Eigenanteil covered inside the existing personnel budget (offset years)."""
    return eigenanteil * covered


# ---------------------------------------------------------------- pay from the TVöD tables


def calendar_month(month: Expr) -> Expr:
    """The calendar month of a month (1 = January)."""
    return call("MONTH", month)


def months_between(since: Expr, month: Expr) -> Expr:
    """Whole months from the month of `since` to `month` (negative before it)."""
    return (year_of(month) - year_of(since)) * 12 + calendar_month(month) - calendar_month(since)


def step_start(previous: tuple[Expr, Expr] | None) -> Expr:
    """The career month a Stufe starts at: 0 for Stufe 1, else the previous Stufe's start plus
    its months (§ 16 TVöD: Stufe 2 after 1 year, Stufe 3 after 2 more, …)."""
    if previous is None:
        return Num(0)
    start, months = previous
    return start + months


def step_in_month(step: Expr, months_since: Expr, starts: Range) -> Expr:
    """The Stufe in a month: the Stufe held at `step_since` moved on by the months since, as the
    last Stufe whose start is reached (never above Stufe 6)."""
    career_month = maximum(pick(starts, step) + months_since, 0)
    return position_at_most(career_month, starts)


def table_in_force(month: Expr, valid_from: Range) -> Expr:
    """The number of the grade's pay table in force in a month (the latest that started), 0 when
    none has started yet."""
    first = valid_from.first
    if len(valid_from.cells()) == 1:
        return when(month < first, 0, 1)
    return when(month < first, 0, position_at_most(month, valid_from))


def table_amount(amounts: Range, table: Expr, step: Expr) -> Expr:
    """The monthly amount of a Stufe at full time in the table in force (0 without a table)."""
    return when(equals(table, 0), 0, pick_cell(amounts, table, step))


def tabellenentgelt(is_active: Expr, fte: Expr, amount: Expr, cost_index: Expr) -> Expr:
    """Tabellenentgelt: VZÄ × table amount × index (assumed pay deals after the last table)."""
    return is_active * fte * amount * cost_index


def zulage(is_active: Expr, fte: Expr, allowance: Expr) -> Expr:
    """Zulage: VZÄ × the monthly allowance (not indexed)."""
    return is_active * fte * allowance


def share_of(amount: Expr, percent: Expr) -> Expr:
    """percent % of an amount (Leistungsentgelt, Sozialversicherung, Versorgungskasse)."""
    return amount * percent / 100


def rate_of_year(year: Expr, years: Range, percents: Range) -> Expr:
    """The rate in force in a year: that of the latest entry starting in or before it, 0 before
    the first entry."""
    first = years.first
    if len(years.cells()) == 1:
        return when(year < first, 0, percents.first)
    return when(year < first, 0, pick(percents, position_at_most(year, years)))


def bonus_base_month(is_active: Expr, month_number: Expr, first: Expr, last: Expr) -> Expr:
    """1 in a month of the bonus base period (July to September) in which the post is filled."""
    return flag(both(month_number >= first, month_number <= last)) * is_active


def sum_of_months_where(
    values: Range, years: Range, year: Expr, keys: Range, wanted: Expr | int
) -> Expr:
    """The sum of a monthly line over the months of a year whose key equals `wanted` (SUMIFS)."""
    return sum_where_all(values, (years, year), (keys, wanted))


def bonus_base(months: Expr, total_of_months: Expr, payment_month_value: Expr) -> Expr:
    """The bonus base: the average over the filled base months, or, when none is filled, the
    value of the payment month (§ 20 TVöD)."""
    return when(months > 0, total_of_months / months, payment_month_value)


def equal_flag(value: Expr, wanted: Expr) -> Expr:
    """1 when value = wanted, else 0."""
    return flag(equals(value, wanted))


def jahressonderzahlung(paid: Expr, rate: Expr, base: Expr, months_filled: Expr) -> Expr:
    """The annual bonus, in the payment month when the post is filled then and in December:
    rate % of the base, pro rata for the months filled in the year (n/12)."""
    return paid * rate / 100 * base * months_filled / 12


def up_to_month(month_number: Expr, last: Expr) -> Expr:
    """1 in the calendar months up to and including `last` (the bonus's payment month)."""
    return flag(month_number <= last)


def monthly_ceiling(yearly: Expr) -> Expr:
    """A contribution ceiling per month: 1/12 of the yearly one."""
    return yearly / 12


def assessed_pay(pay: Expr, monthly_ceiling: Expr, fte: Expr) -> Expr:
    """The monthly pay that social insurance is assessed on: at most the monthly ceiling, per
    person (a position up to 1 VZÄ is one person, one above counts as full-time posts)."""
    return minimum(pay, monthly_ceiling * maximum(1, fte))


def assessed_bonus(bonus: Expr, monthly_ceiling: Expr, fte: Expr, months: Expr, used: Expr) -> Expr:
    """The part of a one-off payment that is assessed (§ 23a SGB IV): at most what the pro-rata
    ceiling of the year's months so far leaves after the monthly pay assessed in them."""
    room = monthly_ceiling * maximum(1, fte) * months - used
    return minimum(bonus, maximum(0, room))


def social_insurance(health_base: Expr, pension_base: Expr, rate: Expr, pension_rate: Expr) -> Expr:
    """The employer's social insurance: the health and care part of the rate on the pay up to
    the health ceiling, the pension and unemployment part on the pay up to the pension ceiling."""
    return health_base * (rate - pension_rate) / 100 + pension_base * pension_rate / 100


# ---------------------------------------------------------------- a district's distribution


def district_share(posts: Expr, population: Expr, district_population: Expr) -> Expr:
    """A municipality's share of the district's posts: posts × population / total population."""
    return posts * population / district_population


def share_funding(share: Expr, rate: Expr) -> Expr:
    """The funding of a share: share × rate per VZÄ and year."""
    return share * rate


def passed_on(share: Expr, filled: Expr, rate: Expr) -> Expr:
    """Funding the district passes on: the filled part of the share, min(share, filled) × rate."""
    return minimum(share, filled) * rate


def refund(share: Expr, filled: Expr, rate: Expr) -> Expr:
    """Funding refunded for unfilled posts: max(0, share − filled) × rate."""
    return maximum(0, share - filled) * rate


def share_units(posts: Expr, units: Expr, population: Expr, district_population: Expr) -> Expr:
    """A share counted in rounding units (thousandths of a VZÄ): posts × units × population /
    total population; the integer product first, so an exact whole number stays exact."""
    return posts * units * population / district_population


def whole_units(units: Expr) -> Expr:
    """The share's whole rounding units (rounded down)."""
    return floor(units)


def leftover_units(posts: Expr, units: Expr, whole: Range) -> Expr:
    """The units the rounding down left over: posts × units − Σ whole units."""
    return posts * units - total(whole)


def remainder_rank(remainders: Range, remainder: Expr, before: Range) -> Expr:
    """The rank of a remainder, largest first; equal remainders in the order of the table:
    the count of larger remainders plus the count of equal ones up to this row."""
    return sum_of_products((remainders > remainder) * 1) + sum_of_products(
        equals(before, remainder) * 1
    )


def rounded_share(whole: Expr, rank: Expr, leftover: Expr, units: Expr) -> Expr:
    """The largest-remainder rounding: the whole units, plus one for the `leftover` largest
    remainders, in VZÄ."""
    return (whole + flag(rank <= leftover)) / units


# ---------------------------------------------------------------- checks ("Prüfungen")


def within(difference: Expr, tolerance: Expr) -> Expr:
    """A check: the difference lies within ± tolerance (rounding noise, not an error)."""
    return both(difference <= tolerance, difference >= -tolerance)


def at_most(value: Expr, limit: Expr) -> Expr:
    """A check: value ≤ limit."""
    return value <= limit


def largest_of(values: Range) -> Expr:
    """The largest value of a line (MAX)."""
    return largest(values)


def smallest_of(values: Range) -> Expr:
    """The smallest value of a line (MIN)."""
    return smallest(values)


def not_negative(value: Expr) -> Expr:
    """A check: value ≥ 0."""
    return value >= 0


def months_without_table(active: Range, table: Range) -> Expr:
    """The months a position is filled without a pay table in force (table number 0)."""
    return sum_where_all(active, (table, 0))


def outside_period(in_force: Range, values: Range) -> Expr:
    """The sum of a monthly line over the months outside the grant's period (flag 0)."""
    return sum_where(in_force, 0, values)


def equal_to_zero(value: Expr) -> Expr:
    """A check: value = 0."""
    return equals(value, 0)


def after(later: Expr, earlier: Expr) -> Expr:
    """A check: later > earlier (tables and rate lists run forward in time)."""
    return later > earlier


def differs(value: Expr, built: Expr) -> Expr:
    """1 when an input differs from the value the scenario file held at the build, else 0."""
    return when(equals(value, built), 0, 1)


def as_yes_no(answer: Expr) -> Expr:
    """A yes/no input as the number 1 or 0, whether its cell holds 1/0 or a boolean typed in any
    language (TRUE × 1 = 1). Arithmetic and IF read both forms alike; a comparison does not (a
    boolean never equals a number) and a cell shows a boolean in the language's words."""
    return answer * 1


def answer_differs(answer: Expr, built: Expr) -> Expr:
    """1 when a yes/no input differs from the scenario file's value, compared as numbers."""
    return differs(as_yes_no(answer), as_yes_no(built))


def changed_inputs(markers: Range) -> Expr:
    """How many inputs differ from the scenario file: the sum of their markers."""
    return total(markers)


def all_passed(checks: Sequence[Expr] | Range) -> Expr:
    """The master check: every check holds."""
    return all_of(checks)


def status(passed: Expr) -> Expr:
    """The master check's status as the cover shows it."""
    return when(passed, Text("OK"), Text("FEHLER"))
