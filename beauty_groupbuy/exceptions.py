# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class DealValidationError(ValidationError):
    "A group-buy deal breaks a rule (price, dates, services, fee rate)"


class VoucherImportError(UserError):
    "Codes refused at import (listed by line); nothing is imported"


class VoucherError(UserError):
    "A voucher code cannot be redeemed (unknown, used, expired, other service)"
