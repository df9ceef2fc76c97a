# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Services: bookable products of type service (服务项目)."""
import datetime as dt

from beauty_hr.employee import SKILL_LEVELS

from trytond.i18n import gettext
from trytond.model import ModelSQL, fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .exceptions import ServiceValidationError

# A service longer than this is surely a typing error (minutes as hours)
MAX_DURATION = dt.timedelta(hours=12)
MAX_BUFFER = dt.timedelta(hours=4)


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    service_duration = fields.TimeDelta(
        "Service Duration",
        states={
            'invisible': Eval('type') != 'service',
            },
        help="How long the service takes; a service with a duration can be "
        "booked.")
    service_buffer = fields.TimeDelta(
        "Clean-up Time",
        states={
            'invisible': Eval('type') != 'service',
            },
        help="The time after the service during which the beautician and "
        "the room are not free (cleaning, preparing the next customer).")
    service_category = fields.Many2One(
        'product.category', "Service Category", ondelete='RESTRICT',
        states={
            'invisible': Eval('type') != 'service',
            },
        help="The skill a beautician needs for the service "
        "(one of her skills or a parent of it).")
    skill_level = fields.Selection(
        SKILL_LEVELS, "Required Skill Level", sort=False,
        states={
            'invisible': Eval('type') != 'service',
            },
        help="The lowest skill level of a beautician who may perform "
        "the service.")
    room_type = fields.Many2One(
        'beauty.room.type', "Room Type", ondelete='RESTRICT',
        states={
            'invisible': Eval('type') != 'service',
            },
        help="The kind of room or device the service needs; "
        "leave empty when it needs none.")
    contraindications = fields.Many2Many(
        'product.template-beauty.contraindication', 'template',
        'contraindication', "Contraindications",
        states={
            'invisible': Eval('type') != 'service',
            },
        help="Customers with one of these conditions are warned about or "
        "refused (see \"Blocks Booking\" on the contraindication).")
    online_booking = fields.Boolean(
        "Bookable Online",
        states={
            'invisible': Eval('type') != 'service',
            },
        help="Offered on the public online booking page.")

    @staticmethod
    def default_online_booking():
        return False

    @classmethod
    def validate_fields(cls, templates, field_names):
        super().validate_fields(templates, field_names)
        if field_names and not (field_names & {
                    'service_duration', 'service_buffer', 'type'}):
            return
        for template in templates:
            duration = template.service_duration
            if duration is not None and (
                    duration <= dt.timedelta(0) or duration > MAX_DURATION):
                raise ServiceValidationError(gettext(
                        'beauty_appointment.msg_service_duration',
                        service=template.rec_name,
                        hours=int(MAX_DURATION.total_seconds() // 3600)))
            buffer = template.service_buffer
            if buffer is not None and (
                    buffer < dt.timedelta(0) or buffer > MAX_BUFFER):
                raise ServiceValidationError(gettext(
                        'beauty_appointment.msg_service_buffer',
                        service=template.rec_name,
                        hours=int(MAX_BUFFER.total_seconds() // 3600)))
            if duration is not None and template.type != 'service':
                raise ServiceValidationError(gettext(
                        'beauty_appointment.msg_service_not_service',
                        service=template.rec_name))


class Product(metaclass=PoolMeta):
    __name__ = 'product.product'

    @property
    def bookable(self):
        "Whether the product is a service that can be booked"
        return bool(self.type == 'service' and self.service_duration
            and self.active)


class TemplateContraindication(ModelSQL):
    "The contraindications of a service"
    __name__ = 'product.template-beauty.contraindication'
    __string__ = "Service Contraindication"
    template = fields.Many2One(
        'product.template', "Service", required=True, ondelete='CASCADE')
    contraindication = fields.Many2One(
        'beauty.contraindication', "Contraindication", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('template')
