# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Account moves of the card and package movements made outside a sale."""
from collections import defaultdict
from decimal import Decimal

from trytond.pool import Pool, PoolMeta


def build_move(company, date, lines, origin=None, description=None,
        journal=None):
    """An unsaved account.move of the store.

    lines: (account, amount) pairs, a positive amount is a debit, a negative
    one a credit; amounts of the same account are netted, zeros dropped.
    """
    pool = Pool()
    Move = pool.get('account.move')
    Line = pool.get('account.move.line')
    Period = pool.get('account.period')
    Configuration = pool.get('beauty.pos.configuration')
    if journal is None:
        journal = Configuration.get_value('journal', company=company)
    totals = defaultdict(Decimal)
    for account, amount in lines:
        totals[account] += amount
    move_lines = []
    for account, amount in totals.items():
        amount = company.currency.round(amount)
        if not amount:
            continue
        line = Line(account=account)
        if amount > 0:
            line.debit, line.credit = amount, Decimal(0)
        else:
            line.debit, line.credit = Decimal(0), -amount
        move_lines.append(line)
    if not move_lines:
        return None
    period = Period.find(company, date=date)
    return Move(
        company=company, journal=journal, period=period, date=date,
        origin=origin, description=description, lines=move_lines)


def post_moves(moves):
    "Save and post the moves (None entries skipped); return them"
    pool = Pool()
    Move = pool.get('account.move')
    moves = [m for m in moves if m is not None]
    if moves:
        Move.save(moves)
        # one call per store: account.move.post of trytond 8.0 fails on
        # the moves of several companies (it reuses its table's name)
        by_company = defaultdict(list)
        for move in moves:
            by_company[move.company].append(move)
        for company_moves in by_company.values():
            Move.post(company_moves)
    return moves


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [
            'beauty.member.card.line', 'beauty.member.card.refund',
            'beauty.package', 'beauty.package.refund',
            ]
