# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import ValidationError


class CustomerValidationError(ValidationError):
    pass


class MobileValidationError(ValidationError):
    pass


class DuplicateMobileError(ValidationError):
    pass


class SimilarNameWarning(UserWarning):
    pass


class CareRecordValidationError(ValidationError):
    pass


class CarePlanValidationError(ValidationError):
    pass


class FeedbackError(UserError):
    pass


class CustomerImportError(UserError):
    pass
