# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.model import Index, fields
from trytond.pool import PoolMeta


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    groupbuy_platform = fields.Many2One(
        'beauty.groupbuy.platform', "Acquisition Platform", readonly=True,
        ondelete='RESTRICT',
        help="The group-buy platform that brought the customer: the "
        "platform of the voucher of her first visit.")
    groupbuy_voucher = fields.Many2One(
        'beauty.groupbuy.voucher', "First Voucher", readonly=True,
        ondelete='SET NULL')
    groupbuy_date = fields.Date(
        "Acquisition Date", readonly=True,
        help="The day of the first visit, paid by a group-buy voucher.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.groupbuy_platform, Index.Range()),
                (t.groupbuy_date, Index.Range()),
                where=t.groupbuy_platform != None))  # noqa: E711

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default else {}
        for name in ['groupbuy_platform', 'groupbuy_voucher',
                'groupbuy_date']:
            default.setdefault(name)
        return super().copy(parties, default=default)
