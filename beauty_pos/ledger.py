# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Balances that never go negative, also under concurrent requests.

The balances (card principal and bonus, package sessions remaining, points)
are columns of the owning row, and every movement changes them with one
conditional UPDATE::

    UPDATE t SET c = c + delta WHERE id = X AND c + delta >= 0 RETURNING c

On PostgreSQL (REPEATABLE READ in Tryton) a concurrent transaction that
changed the row makes this UPDATE fail with a serialization error (Tryton
then retries the whole request), the WHERE refuses a movement that would make
the balance negative, CHECK constraints on the columns are the last line of
defence, and the running balance of the ledger line is the value RETURNED by
the UPDATE, never one computed from a possibly stale snapshot. SQLite has a
single writer: the UPDATE is followed by a check of the values written, in the
same transaction. Callers lock the row first (``Model.lock``) so that
concurrent requests queue instead of failing.
"""
from sql import As, For, Literal

from trytond import backend
from trytond.model import fields
from trytond.tools import sqlite_apply_types
from trytond.transaction import Transaction


def read_for_update(Model, ids, columns):
    "Current values of columns of the rows, locked for update on PostgreSQL"
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    query = table.select(
        table.id, *[getattr(table, c) for c in columns],
        where=in_(table.id, ids))
    if backend.name == 'postgresql':
        query.for_ = For('UPDATE')
    cursor.execute(*query)
    return {row[0]: dict(zip(columns, row[1:])) for row in cursor}


def guarded_update(Model, id_, deltas, current, minimum=0):
    """Add deltas ({column: amount}) to the row, refusing any column going
    below minimum; return the new values ({column: value}) or None when
    refused (nothing written).

    current: the values read under the lock (``read_for_update``); on
    PostgreSQL only informative (the arithmetic is done by the database),
    on SQLite the base of the new values (SQLite stores numerics as floats
    in arithmetic, so the exact decimal values are written instead).
    """
    table = Model.__table__()
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    columns = list(deltas)
    sql_columns = [getattr(table, c) for c in columns]
    if backend.name == 'postgresql':
        where = table.id == id_
        for column, name in zip(sql_columns, columns):
            where &= (column + deltas[name]) >= Literal(minimum)
        cursor.execute(*table.update(
                sql_columns,
                [c + deltas[n] for c, n in zip(sql_columns, columns)],
                where=where, returning=sql_columns))
        row = cursor.fetchone()
        if row is None:
            return None
        result = dict(zip(columns, row))
    else:
        new = {c: current[c] + deltas[c] for c in columns}
        if any(v < minimum for v in new.values()):
            return None
        cursor.execute(*table.update(
                sql_columns, [new[c] for c in columns],
                where=table.id == id_))
        # check what was written, in the same transaction
        cursor.execute(*table.select(*sql_columns, where=table.id == id_))
        row = cursor.fetchone()
        result = dict(zip(columns, row)) if row else None
        if result is None or any(
                result[c] is None or result[c] != new[c] for c in columns):
            return None
    if any(v is None or v < minimum for v in result.values()):
        return None
    clear_cache(Model, [id_])
    return result


def clear_cache(Model, ids):
    "Forget the cached values of rows changed by raw SQL"
    transaction = Transaction()
    transaction.counter += 1
    for cache in transaction.cache.values():
        if Model.__name__ in cache:
            cache_cls = cache[Model.__name__]
            for id_ in ids:
                cache_cls.pop(id_, None)


def in_(column, ids):
    "column IN ids, for any number of ids"
    return fields.SQL_OPERATORS['in'](column, list(ids))


def typed(query, types):
    """Give SQLite the types of the result columns (it returns floats for
    numeric aggregates otherwise); a no-op on PostgreSQL"""
    if backend.name == 'sqlite':
        columns = []
        for i, column in enumerate(query.columns):
            if not isinstance(column, As):
                column = column.as_('column%d' % i)
            columns.append(column)
        query.columns = columns
        sqlite_apply_types(query, types)
    return query
