# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Services and products are found by the pinyin of their name (拼音) as
customers and staff are: 小气泡清洁 by "xiaoqipao" or "xqp"."""
from sql import Column, Null, Values

from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.tools import is_full_text, strip_wildcard, unescape_wildcard
from trytond.transaction import Transaction

from .pinyin import PinyinMixin

_LIKE = {'like', 'ilike'}


def _pinyin_text(operator, operand):
    "The text searched by a positive LIKE clause of the search box, or None"
    if (operator in _LIKE and isinstance(operand, str)
            and is_full_text(operand)):
        return unescape_wildcard(strip_wildcard(operand))
    return None


class Template(PinyinMixin, metaclass=PoolMeta):
    __name__ = 'product.template'
    _pinyin_person = False

    @classmethod
    def __register__(cls, module):
        table_h = cls.__table_handler__(module)
        fill = (table_h.table_exist(cls._table)
            and not table_h.column_exist('pinyin_search'))
        super().__register__(module)

        # Migration from 8.0.0: the pinyin of the existing names
        if fill:
            cls._fill_pinyin()

    @classmethod
    def _fill_pinyin(cls):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(
                table.id, table.name, where=table.name != Null))
        for rows in grouped_slice(cursor.fetchall(), 1000):
            values = []
            for id_, name in rows:
                pinyin = cls.pinyin_values(name)
                values.append(
                    [id_, pinyin['pinyin'], pinyin['pinyin_search']])
            values = Values(values)
            cursor.execute(*table.update(
                    [table.pinyin, table.pinyin_search],
                    [Column(values, 'column2'), Column(values, 'column3')],
                    from_=[values],
                    where=table.id == Column(values, 'column1')))

    @classmethod
    def search_rec_name(cls, name, clause):
        domain = super().search_rec_name(name, clause)
        _, operator, operand, *extra = clause
        text = _pinyin_text(operator, operand)
        if text and (keys := cls.pinyin_domain(text)):
            domain.append(keys)
        return domain


class Product(metaclass=PoolMeta):
    __name__ = 'product.product'

    @classmethod
    def search_rec_name(cls, name, clause):
        pool = Pool()
        Template = pool.get('product.template')
        domain = super().search_rec_name(name, clause)
        _, operator, operand, *extra = clause
        text = _pinyin_text(operator, operand)
        if text and (keys := Template.pinyin_domain(text)):
            domain.append(('template.' + keys[0], *keys[1:]))
        return domain
