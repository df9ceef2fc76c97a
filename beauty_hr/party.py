# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from sql import Union

from trytond import backend
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    staff = fields.Function(
        fields.Boolean(
            "Staff or Store",
            help="The party of a store or of an employee."),
        'get_staff', searcher='search_staff')

    @classmethod
    def _staff_query(cls):
        pool = Pool()
        Company = pool.get('company.company')
        Employee = pool.get('company.employee')
        company = Company.__table__()
        employee = Employee.__table__()
        return Union(
            company.select(company.party.as_('party')),
            employee.select(employee.party.as_('party')),
            all_=True)

    @classmethod
    def get_staff(cls, parties, name):
        cursor = Transaction().connection.cursor()
        result = dict.fromkeys(map(int, parties), False)
        query = cls._staff_query()
        for sub in grouped_slice(list(result), backend.MAX_QUERY_PARAMS):
            cursor.execute(*query.select(
                    query.party, where=reduce_ids(query.party, list(sub))))
            for party, in cursor:
                result[party] = True
        return result

    @classmethod
    def search_staff(cls, name, clause):
        _, operator, value = clause[:3]
        query = cls._staff_query()
        subquery = query.select(query.party)
        if (operator == '=') == bool(value):
            return [('id', 'in', subquery)]
        return [('id', 'not in', subquery)]
