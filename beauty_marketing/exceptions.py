# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class ConfigurationError(ValidationError):
    "The marketing thresholds are out of order"


class CampaignError(UserError):
    pass


class CampaignValidationError(ValidationError):
    pass


class SurveyError(UserError):
    "A survey answer is refused (used link, rating out of range)"


class CareCycleValidationError(ValidationError):
    "A care cycle is not a positive number of days"


class HolidayValidationError(ValidationError):
    "A holiday promotion is badly set up"
