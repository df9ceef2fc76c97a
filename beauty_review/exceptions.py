# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning


class ReviewError(UserError):
    "A review request cannot be decided (own request, comment missing...)"


class StaleRequestError(UserError):
    "The record changed since the request: it cannot be applied as asked"


class DeletionReviewError(UserError):
    "A customer's record is deleted through a deletion request only"


class PriceReviewWarning(UserWarning):
    "A price change becomes a request: the old price stays in force"
