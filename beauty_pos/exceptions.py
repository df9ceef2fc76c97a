# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError, ValidationError


class ConfigurationError(UserError):
    pass


class AmountError(ValidationError):
    "A money amount breaks a rule (negative, zero, too large)"


class BalanceError(UserError):
    "A card, package or points balance would go negative"


class CardError(UserError):
    pass


class LedgerAccessError(AccessError):
    "Ledger lines are append-only"


class RefundError(UserError):
    pass


class PackageError(UserError):
    pass


class CouponError(UserError):
    pass


class PointsError(UserError):
    pass


class CheckoutError(UserError):
    pass


class ReturnError(UserError):
    pass


class CommissionError(ValidationError):
    pass


class ClosingError(UserError):
    pass


class ClosingWarning(UserWarning):
    pass
