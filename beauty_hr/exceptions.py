# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class ShiftValidationError(ValidationError):
    pass


class RosterValidationError(ValidationError):
    pass


class RosterOverlapError(RosterValidationError):
    pass


class RosterLeaveError(RosterValidationError):
    pass


class LeaveValidationError(ValidationError):
    pass


class CertificateValidationError(ValidationError):
    pass


class RosterGenerateError(UserError):
    pass


class LeaveError(UserError):
    pass
