# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class QuantityError(ValidationError):
    "A stock quantity breaks a rule (negative, zero)"


class UnitError(ValidationError):
    "A unit that cannot be converted into the product's unit"


class WriteOffError(ValidationError):
    "A write-off without a reason or without stock"


class LotExpiredError(UserError):
    "An expired lot is sold or used"


class ScanError(UserError):
    "A scanned code matches no product"
