# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Names of stores and staff read in one query.

Every list of the suite shows a store (company) and staff (employee) per
row, and Tryton computes their names record by record: each employee loads
itself, then its party with all the party's columns (a customer archive has
many), about 2 ms per distinct employee. A customer list page naming 30
beauticians spent 60 ms there. These getters read the names with one join."""
from sql.conditionals import Coalesce

from trytond import backend
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction


def party_names(Model, records, party_column='party'):
    "{record id: the rec_name of its party} in one query per slice"
    pool = Pool()
    Party = pool.get('party.party')
    table = Model.__table__()
    party = Party.__table__()
    cursor = Transaction().connection.cursor()
    result = {}
    if party_column:
        from_ = table.join(party,
            condition=getattr(table, party_column) == party.id)
    else:
        from_, party = table, table
    for sub_ids in grouped_slice([r.id for r in records],
            backend.MAX_QUERY_PARAMS):
        cursor.execute(*from_.select(
                table.id, party.name, Coalesce(party.code, ''),
                where=reduce_ids(table.id, sub_ids)))
        for id_, name, code in cursor:
            result[id_] = name or '[%s]' % code
    return result


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    @classmethod
    def get_rec_name(cls, companies, name):
        return party_names(cls, companies)


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    @classmethod
    def get_rec_name(cls, employees, name):
        return party_names(cls, employees)
