# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The care cycle (护理周期) of a service: after how many days a customer
should have it again (see followup.FollowUp.care_cycle_reminders)."""
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .exceptions import CareCycleValidationError


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    care_cycle_days = fields.Integer(
        "Care Cycle (days)",
        states={
            'invisible': Eval('type') != 'service',
            },
        help="After how many days a customer should have the service again "
        "(e.g. 28 for a facial): she is reminded when it has passed since "
        "her last one and she has not booked the next. Empty: no reminder.")

    @classmethod
    def validate_fields(cls, templates, field_names):
        super().validate_fields(templates, field_names)
        if field_names and 'care_cycle_days' not in field_names:
            return
        for template in templates:
            if (template.care_cycle_days is not None
                    and template.care_cycle_days <= 0):
                raise CareCycleValidationError(gettext(
                        'beauty_marketing.msg_care_cycle_positive',
                        product=template.rec_name,
                        field=cls.__names__('care_cycle_days')['field']))


class Product(metaclass=PoolMeta):
    # registered so that the variant's copy of care_cycle_days is
    # translated with this module
    __name__ = 'product.product'
