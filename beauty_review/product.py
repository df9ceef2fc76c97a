# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The prices of services and retail products wait for review."""
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class ReviewedPriceMixin:
    "A write changing a reviewed field files a request instead"
    __slots__ = ()
    # {field name: how its value is shown (money, rate or number)}
    _review_price_fields = {}

    def _review_company(self):
        "The store the price belongs to (None: not reviewed)"
        return Transaction().context.get('company')

    @classmethod
    def write(cls, *args):
        pool = Pool()
        Request = pool.get('beauty.review.request')
        args = Request.intercept_write(cls, args)
        if args:
            super().write(*args)


class Template(ReviewedPriceMixin, metaclass=PoolMeta):
    __name__ = 'product.template'
    _review_price_fields = {
        'list_price': 'money',
        'gross_price': 'money',
        }


class Product(ReviewedPriceMixin, metaclass=PoolMeta):
    __name__ = 'product.product'
    _review_price_fields = {
        'list_price': 'money',
        'gross_price': 'money',
        }
