"""Properties of the FOCUS reader (core.billing), no store: a correction (ChargeClass
`Correction`, FOCUS 1.0+) and the charge it undoes net out exactly, in any ISO 4217 currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core import billing
from core.catalog import load_catalog
from core.currencies import ISO_4217

AMOUNTS = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("1000000"), places=6)


@given(amount=AMOUNTS, effective=AMOUNTS, currency=st.sampled_from(sorted(ISO_4217)))
def test_a_correction_and_its_original_net_out(
    amount: Decimal, effective: Decimal, currency: str
) -> None:
    bill = billing.Bill()
    matcher = billing.Matcher([], load_catalog())
    for line, sign, charge_class in ((2, "", ""), (3, "-", "Correction")):
        cells = {
            "BilledCost": f"{sign}{amount}", "EffectiveCost": f"{sign}{effective}",
            "BillingCurrency": currency, "ChargePeriodStart": "2026-10-05T00:00:00Z",
            "ChargeCategory": "Usage", "ChargeClass": charge_class,
            "ServiceProviderName": "Acme", "ServiceCategory": billing.AI, "ServiceName": "Acme",
        }  # fmt: skip
        billing.add_charge(bill, matcher, line, cells, today=date(2026, 12, 7))
    assert bill.problem_count == 0
    [(key, total)] = bill.totals.items()
    assert key[:3] == ("Acme", date(2026, 10, 1), currency)
    assert (total.amount, total.effective, total.rows) == (Decimal(0), Decimal(0), 2)
