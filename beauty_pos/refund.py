# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Refund of prepaid consumption (储值卡 / 疗程卡退款), by Chinese rules.

Pure functions (no database): the card and package refund wizards call them
and show every step to the front desk and the customer before confirming.

Stored-value card
-----------------
A card is a series of top-ups ("lots"): lot i was paid ``p_i`` (principal,
the money the customer actually paid) and came with a bonus ``b_i`` (赠送).
What the customer consumed, ``C``, is everything that left the card except
the refund itself: ``C = sum(p_i + b_i) - balance`` (spends less returns,
adjustments included). ``C`` is charged to the lots oldest first (FIFO):
lot i receives ``c_i``. The refund of each lot is then:

* Within the cooling-off period of the lot (refund date <= top-up date +
  N days, N configurable, 7 by default), or whatever the date when the
  refund is caused by the salon (closing the store, unable to serve):
  the unused principal comes back in full, consumption being valued at the
  price actually paid for it, i.e. at the paid/received ratio of the lot::

      refund_i = p_i - c_i * p_i / (p_i + b_i)

  (SPC draft interpretation on prepaid consumption, art. 21: the consumed
  amount is converted with the ratio actually paid / total received.)

* After the cooling-off period, on the customer's own initiative: the
  refund is the amount actually paid less what was consumed at the prices
  actually charged (the member prices spent from the card, never list
  prices), consumption being charged to the principal first: the bonus only
  benefits a card that is kept and is never refunded::

      refund_i = p_i - min(p_i, c_i)

  This is never more than the cooling-off amount (p_i / (p_i + b_i) <= 1):
  the cooling-off period can only help the customer.

Each lot's refund is rounded half-up to the currency; the total never
exceeds the balance. What remains on the card (``balance - refund``) is
forfeited bonus and is booked as such. "No refund" (不退不换) is not an
option: the function always returns the amount due.

Worked example (tested in scenario_card_refund.rst): top-up 1000 with a
bonus of 200, 300 consumed. Balance 900.

* day 3 (cooling-off): 1000 - 300 * 1000 / 1200 = 1000 - 250 = 750.00,
  forfeited 150.00;
* day 40: 1000 - min(1000, 300) = 700.00, forfeited 200.00 (the bonus).

Treatment package
-----------------
A package was paid ``P`` for sessions whose single-session prices at the
time of sale add up to ``V``; each session's paid value is its single
price * P / V (``unit_value``, what is recognised as revenue when used).
With ``Cp`` the paid value of the sessions used and ``Cv`` their single
prices:

* cooling-off or caused by the salon: ``refund = P - Cp`` (sessions used
  valued at the price actually paid for them);
* afterwards: ``refund = min(P - Cp, max(0, P - Cv))`` (the package discount
  only benefits a package that is kept).
"""
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

RULE_COOLING_OFF = 'cooling_off'
RULE_SALON = 'salon'
RULE_PRINCIPAL_FIRST = 'principal_first'


def quantizer(digits=2):
    exp = Decimal(1).scaleb(-digits)

    def quantize(amount):
        return Decimal(amount).quantize(exp, rounding=ROUND_HALF_UP)
    return quantize


@dataclass
class Lot:
    "A top-up of a card (or a bonus credited on its own)"
    date: dt.date
    principal: Decimal
    bonus: Decimal
    reference: str = ''

    @property
    def capacity(self):
        return self.principal + self.bonus


@dataclass
class LotRefund:
    lot: Lot
    consumed: Decimal
    rule: str
    deduction: Decimal
    refund: Decimal


@dataclass
class CardRefund:
    lots: list = field(default_factory=list)
    balance: Decimal = Decimal(0)
    consumed: Decimal = Decimal(0)
    principal: Decimal = Decimal(0)
    bonus: Decimal = Decimal(0)
    refund: Decimal = Decimal(0)
    forfeited: Decimal = Decimal(0)

    @property
    def cooling_off(self):
        return any(r.rule == RULE_COOLING_OFF for r in self.lots)


def allocate_fifo(capacities, amount):
    "Spread amount over the capacities in order; returns the parts"
    parts = []
    remaining = max(amount, Decimal(0))
    for capacity in capacities:
        part = min(remaining, max(capacity, Decimal(0)))
        parts.append(part)
        remaining -= part
    return parts


def in_cooling_off(lot_date, refund_date, cooling_off_days):
    return refund_date <= lot_date + dt.timedelta(days=cooling_off_days)


def card_refund(
        lots, balance, refund_date, cooling_off_days=7, salon_fault=False,
        digits=2):
    """Return the CardRefund of a card.

    lots: the Lot of each top-up or bonus, any order (sorted by date here);
    balance: the card's current balance (principal + bonus);
    salon_fault: the refund is caused by the salon (ratio rule whatever the
    date).
    """
    quantize = quantizer(digits)
    lots = sorted(lots, key=lambda l: l.date)
    result = CardRefund(balance=balance)
    result.principal = sum((l.principal for l in lots), Decimal(0))
    result.bonus = sum((l.bonus for l in lots), Decimal(0))
    consumed = max(result.principal + result.bonus - balance, Decimal(0))
    result.consumed = consumed
    parts = allocate_fifo([l.capacity for l in lots], consumed)
    for lot, used in zip(lots, parts):
        p, b = lot.principal, lot.bonus
        if salon_fault:
            rule = RULE_SALON
        elif in_cooling_off(lot.date, refund_date, cooling_off_days):
            rule = RULE_COOLING_OFF
        else:
            rule = RULE_PRINCIPAL_FIRST
        if rule == RULE_PRINCIPAL_FIRST:
            deduction = min(p, used)
        elif p + b:
            deduction = used * p / (p + b)
        else:
            deduction = Decimal(0)
        refund = quantize(max(p - deduction, Decimal(0)))
        result.lots.append(LotRefund(
                lot=lot, consumed=used, rule=rule,
                deduction=quantize(deduction), refund=refund))
    result.refund = min(
        sum((r.refund for r in result.lots), Decimal(0)),
        max(balance, Decimal(0)))
    result.forfeited = balance - result.refund
    return result


@dataclass
class PackageRefund:
    paid: Decimal
    value: Decimal
    used_value: Decimal
    used_paid: Decimal
    rule: str
    refund: Decimal
    remaining_liability: Decimal

    @property
    def difference(self):
        "Refund less the liability still held (negative: forfeited)"
        return self.refund - self.remaining_liability


def package_refund(
        paid, value, used_value, used_paid, purchase_date, refund_date,
        cooling_off_days=7, salon_fault=False, digits=2):
    """Return the PackageRefund of a package.

    paid: price paid (P); value: single-session prices of all sessions (V);
    used_value: single-session prices of the sessions used (Cv);
    used_paid: paid value of the sessions used, as recognised (Cp).
    """
    quantize = quantizer(digits)
    remaining_liability = paid - used_paid
    if salon_fault:
        rule = RULE_SALON
    elif in_cooling_off(purchase_date, refund_date, cooling_off_days):
        rule = RULE_COOLING_OFF
    else:
        rule = RULE_PRINCIPAL_FIRST
    if rule == RULE_PRINCIPAL_FIRST:
        refund = min(paid - used_paid, max(paid - used_value, Decimal(0)))
    else:
        refund = paid - used_paid
    refund = quantize(max(refund, Decimal(0)))
    return PackageRefund(
        paid=paid, value=value, used_value=used_value, used_paid=used_paid,
        rule=rule, refund=refund, remaining_liability=remaining_liability)
