# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)


class _NamedMixin(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    name = fields.Char("Name", required=True, translate=True, size=60)
    description = fields.Text("Description", size=1000)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('name_uniq', Unique(t, t.name),
                'beauty_customer.msg_name_unique'),
            ]
        cls._order.insert(1, ('name', 'ASC'))


class CustomerSource(_NamedMixin):
    "Where customers come from (美团, 朋友介绍...)"
    __name__ = 'beauty.customer.source'


class SkinConcern(_NamedMixin):
    "A skin concern (色斑, 痘痘...)"
    __name__ = 'beauty.skin.concern'


class Contraindication(_NamedMixin):
    "A condition that rules out or restricts services (孕期, 心脏起搏器...)"
    __name__ = 'beauty.contraindication'
    blocking = fields.Boolean(
        "Blocks Booking",
        help="If checked, a service with this contraindication cannot be "
        "booked for the customer; otherwise the front desk is warned.")

    @staticmethod
    def default_blocking():
        return False
