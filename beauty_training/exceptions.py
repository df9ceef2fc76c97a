# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class ConfigurationError(ValidationError):
    "The weights or limits of the appraisals are wrong"


class TrainingValidationError(ValidationError):
    "A course, session or attendance is inconsistent"


class TrainingError(UserError):
    "A training session cannot be changed or done"


class AppraisalValidationError(ValidationError):
    "An appraisal is inconsistent (period, scores)"


class AppraisalError(UserError):
    "An appraisal cannot be changed (confirmed) or confirmed"
