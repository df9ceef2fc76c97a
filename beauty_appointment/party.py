# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
import operator

from sql.aggregate import Count

from trytond import backend
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

_OPERATORS = {
    '=': operator.eq,
    '!=': operator.ne,
    '<': operator.lt,
    '<=': operator.le,
    '>': operator.gt,
    '>=': operator.ge,
    }


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    appointments = fields.One2Many(
        'beauty.appointment', 'customer', "Appointments", readonly=True)
    no_show_count = fields.Function(
        fields.Integer(
            "No-shows",
            help="How many times the customer did not come to a booked "
            "appointment."),
        'get_no_show_count', searcher='search_no_show_count')

    @classmethod
    def no_show_counts(cls, party_ids):
        "{party id: number of no-shows} (one aggregate query per 1000)"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        table = Appointment.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        ids = [i for i in party_ids if i is not None and i >= 0]
        for sub in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.select(
                    table.customer, Count(),
                    where=reduce_ids(table.customer, list(sub))
                    & (table.state == 'no_show'),
                    group_by=[table.customer]))
            result.update(cursor)
        return result

    @classmethod
    def _read_one_columns(cls, id_, names):
        "The no-shows of the form's customer in its one query (see read)"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        columns = super()._read_one_columns(id_, names)
        if 'no_show_count' in names:
            table = Appointment.__table__()
            columns[('no_show_count',)] = table.select(Count(),
                where=(table.customer == id_) & (table.state == 'no_show'))
        return columns

    @classmethod
    def get_no_show_count(cls, parties, name):
        from beauty_customer.party import read_one_value
        ids = [p.id for p in parties]
        found, count = read_one_value(cls, ids, ('no_show_count',))
        if found:
            return {ids[0]: count}
        counts = cls.no_show_counts(ids)
        return {p.id: counts.get(p.id, 0) for p in parties}

    @classmethod
    def search_no_show_count(cls, name, clause):
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        table = Appointment.__table__()
        _, operator_, value = clause[:3]
        compare = _OPERATORS.get(operator_)
        if compare is None or value is None:
            return [('id', '=', -1)]
        count = Count()
        sql_compare = {
            '=': count == value, '!=': count != value,
            '<': count < value, '<=': count <= value,
            '>': count > value, '>=': count >= value,
            }[operator_]
        if compare(0, value):
            # the parties without no-show match too: exclude the others
            query = table.select(table.customer,
                where=table.state == 'no_show',
                group_by=[table.customer], having=~sql_compare)
            return [('id', 'not in', query)]
        query = table.select(table.customer,
            where=table.state == 'no_show',
            group_by=[table.customer], having=sql_compare)
        return [('id', 'in', query)]

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('appointments', None)
        return super().copy(parties, default=default)


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        """Her appointments' and waiting list's notes (an online booking
        writes her name and mobile there) and her messages: the address
        and the text of hers, the text of the staff's about her"""
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Waitlist = pool.get('beauty.appointment.waitlist')
        Notification = pool.get('beauty.notification')
        to_erase = super().to_erase(party_id)
        to_erase.extend([
                (Appointment, [('customer', '=', party_id)], True,
                    ['notes', 'cancel_reason'], [None, None]),
                (Waitlist, [('customer', '=', party_id)], True,
                    ['notes'], [None]),
                (Notification, [('party', '=', party_id)], False,
                    ['recipient', 'subject', 'content', 'error'],
                    ['****', None, '****', None]),
                (Notification, ['OR',
                        ('appointment.customer', '=', party_id),
                        ('waitlist.customer', '=', party_id),
                        ], False,
                    ['subject', 'content', 'error'], ['****', '****', None]),
                ])
        return to_erase
