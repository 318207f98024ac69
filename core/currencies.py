"""Every currency a bill may be in: the active codes of ISO 4217 (List One, as the ISO 4217
maintenance agency publishes it: https://www.six-group.com/en/products-services/financial-information/data-standards.html).

FOCUS says BillingCurrency "MUST conform to ISO 4217" (FOCUS 1.0-1.4, BillingCurrency column:
https://focus.finops.org/focus-specification/), so a bill is checked against this list and
not against the short list of currencies people register costs in (core.money.CODES).
Fund codes and precious metals (XAU, XDR...) are left out: no provider invoices in them.
"""

from __future__ import annotations

_LIST_ONE = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR
    ZMW ZWG
"""
ISO_4217 = frozenset(_LIST_ONE.split())
