# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import ValidationError


class AppointmentValidationError(ValidationError):
    "Bad input on an appointment (times, services, store)"


class AppointmentPastError(AppointmentValidationError):
    pass


class AppointmentOverlapError(AppointmentValidationError):
    "A beautician or a room is already booked"


class AppointmentRosterError(AppointmentValidationError):
    "The beautician does not work at that time"


class AppointmentSkillError(AppointmentValidationError):
    "The beautician lacks the category or the level of the service"


class AppointmentRoomError(AppointmentValidationError):
    pass


class ContraindicationError(AppointmentValidationError):
    "A blocking contraindication of the customer against a service"


class ContraindicationWarning(UserWarning):
    "A non-blocking contraindication of the customer against a service"


class NoShowWarning(UserWarning):
    "The customer often does not come"


class AppointmentStateError(UserError):
    pass


class SlotSearchError(UserError):
    pass


class WaitlistError(ValidationError):
    pass


class NotificationError(UserError):
    pass


class GatewayError(Exception):
    "A message could not be delivered by its gateway"


class ServiceValidationError(ValidationError):
    pass


class RoomValidationError(ValidationError):
    pass


class OnlineBookingError(UserError):
    "A refused online booking; the message is shown to the public"

    def __init__(self, message, status=400, code='invalid'):
        super().__init__(message)
        self.status = status
        self.code = code
