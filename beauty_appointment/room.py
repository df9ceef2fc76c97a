# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Rooms and devices (房间/仪器) that services occupy."""
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.transaction import Transaction

from .exceptions import RoomValidationError

KINDS = [
    ('room', "Room"),
    ('device', "Device"),
    ('station', "Station"),
    ]
MAX_CAPACITY = 20


class RoomType(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    "A kind of room or device a service needs (面部护理间, 光子仪...)"
    __name__ = 'beauty.room.type'
    __string__ = "Room Type"
    name = fields.Char("Name", required=True, translate=True, size=60)
    kind = fields.Selection(KINDS, "Kind", required=True)
    description = fields.Text("Description", size=1000)

    @staticmethod
    def default_kind():
        return 'room'


class Room(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    """A room, bed or device of a store (beauty.room).

    Capacity is the number of customers it takes at once (a double room has
    2): every booking takes one place, the places are numbered 1 to
    capacity."""
    __name__ = 'beauty.room'
    __string__ = "Room or Device"
    name = fields.Char("Name", required=True, size=60)
    code = fields.Char("Code", size=10, help="A short mark, e.g. A1.")
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE')
    type = fields.Many2One(
        'beauty.room.type', "Type", required=True, ondelete='RESTRICT')
    kind = fields.Function(
        fields.Selection(KINDS, "Kind"), 'on_change_with_kind')
    capacity = fields.Integer(
        "Capacity", required=True,
        help="How many customers it takes at the same time.")
    notes = fields.Text("Notes", size=1000)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.company, Index.Range()), (t.type, Index.Range())))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_capacity():
        return 1

    @fields.depends('type')
    def on_change_with_kind(self, name=None):
        if self.type:
            return self.type.kind

    def get_rec_name(self, name):
        if self.code:
            return '%s %s' % (self.code, self.name)
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('name',) + tuple(clause[1:]),
            ('code',) + tuple(clause[1:]),
            ]

    @classmethod
    def validate_fields(cls, rooms, field_names):
        super().validate_fields(rooms, field_names)
        if field_names and 'capacity' not in field_names:
            return
        for room in rooms:
            if not (1 <= (room.capacity or 0) <= MAX_CAPACITY):
                raise RoomValidationError(gettext(
                        'beauty_appointment.msg_room_capacity',
                        room=room.rec_name, maximum=MAX_CAPACITY))
