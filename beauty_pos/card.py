# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Stored-value cards (储值卡) and their append-only ledger."""
from collections import defaultdict
from decimal import Decimal

from sql import Null
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Check, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, Id
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import refund as refund_rules
from .accounting import build_move, post_moves
from .exceptions import (
    AmountError, BalanceError, CardError, LedgerAccessError, RefundError)
from .ledger import guarded_update, in_, read_for_update, typed
from .refund_record import (
    REFUND_REASONS, RefundMixin, RefundStartMixin, refund_start_defaults)

CARD_STATES = [
    ('active', "Active"),
    ('blocked', "Blocked"),
    ('refunded', "Refunded"),
    ]
LINE_TYPES = [
    ('topup', "Top-up"),
    ('bonus', "Bonus"),
    ('spend', "Spend"),
    ('return', "Return"),
    ('refund', "Refund"),
    ('adjustment', "Adjustment"),
    ]
RULE_NAMES = {
    refund_rules.RULE_COOLING_OFF: 'beauty_pos.msg_rule_cooling_off',
    refund_rules.RULE_SALON: 'beauty_pos.msg_rule_salon',
    refund_rules.RULE_PRINCIPAL_FIRST: 'beauty_pos.msg_rule_principal_first',
    }


def is_manager():
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    if Transaction().user == 0:
        return True
    groups = set(User.get_groups())
    return bool(groups & {
            ModelData.get_id('beauty_customer', 'group_manager'),
            ModelData.get_id('beauty_customer', 'group_salon_admin'),
            })


class Card(Workflow, ModelSQL, ModelView):
    "Stored-value card (储值卡)"
    __name__ = 'beauty.member.card'
    _rec_name = 'number'

    number = fields.Char(
        "Number", readonly=True,
        help="Given from the card sequence of the store.")
    customer = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='RESTRICT',
        states={
            'readonly': Eval('id', -1) >= 0,
            })
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='RESTRICT',
        states={
            'readonly': Eval('id', -1) >= 0,
            })
    level = fields.Many2One(
        'beauty.member.level', "Member Level", ondelete='RESTRICT',
        states={
            'readonly': Eval('state') != 'active',
            })
    state = fields.Selection(
        CARD_STATES, "State", readonly=True, required=True, sort=False)
    open_date = fields.Date("Opened", required=True, readonly=True)
    principal_balance = Monetary(
        "Principal Balance", currency='currency', digits='currency',
        readonly=True,
        help="What is left of the money the customer paid.")
    bonus_balance = Monetary(
        "Bonus Balance", currency='currency', digits='currency',
        readonly=True,
        help="What is left of the bonus credited (not refundable).")
    balance = fields.Function(Monetary(
            "Balance", currency='currency', digits='currency'),
        'get_balance', searcher='search_balance')
    principal_paid = fields.Function(Monetary(
            "Principal Paid", currency='currency', digits='currency',
            help="The money paid in by top-ups."),
        'get_totals')
    bonus_granted = fields.Function(Monetary(
            "Bonus Granted", currency='currency', digits='currency'),
        'get_totals')
    spent = fields.Function(Monetary(
            "Spent", currency='currency', digits='currency',
            help="Spends less returns."),
        'get_totals')
    lines = fields.One2Many(
        'beauty.member.card.line', 'card', "Ledger", readonly=True,
        order=[('id', 'DESC')])
    refunds = fields.One2Many(
        'beauty.member.card.refund', 'card', "Refunds", readonly=True)
    note = fields.Text("Note")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        cls.number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('number_unique', Unique(t, t.company, t.number),
                'beauty_pos.msg_card_number_unique'),
            ('principal_balance_positive',
                Check(t, t.principal_balance >= 0),
                'beauty_pos.msg_card_negative_check'),
            ('bonus_balance_positive',
                Check(t, t.bonus_balance >= 0),
                'beauty_pos.msg_card_negative_check'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.customer, Index.Range())),
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.company, Index.Range()),
                    (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('open_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('active', 'blocked'),
            ('blocked', 'active'),
            ('active', 'refunded'),
            ('blocked', 'refunded'),
            }
        cls._buttons.update({
                'topup': {
                    'invisible': Eval('state') != 'active',
                    'depends': ['state'],
                    },
                'refund': {
                    'invisible': Eval('state') == 'refunded',
                    'depends': ['state'],
                    },
                'adjust': {
                    'invisible': Eval('state') == 'refunded',
                    'depends': ['state'],
                    },
                'block': {
                    'invisible': Eval('state') != 'active',
                    'depends': ['state'],
                    },
                'unblock': {
                    'invisible': Eval('state') != 'blocked',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'active'

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_open_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_principal_balance():
        return Decimal(0)

    @staticmethod
    def default_bonus_balance():
        return Decimal(0)

    @fields.depends('customer')
    def on_change_customer(self):
        if self.customer and self.customer.member_level:
            self.level = self.customer.member_level

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_rec_name(self, name):
        if self.customer:
            return '%s (%s)' % (self.number or '', self.customer.rec_name)
        return self.number or ''

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('number', *clause[1:]),
            ('customer.rec_name', *clause[1:]),
            ]

    def get_balance(self, name):
        return self.company.currency.round(
            (self.principal_balance or Decimal(0))
            + (self.bonus_balance or Decimal(0)))

    @classmethod
    def search_balance(cls, name, clause):
        table = cls.__table__()
        _, operator, value = clause
        Operator = fields.SQL_OPERATORS[operator]
        query = table.select(table.id,
            where=Operator(
                table.principal_balance + table.bonus_balance, value))
        return [('id', 'in', query)]

    @classmethod
    def get_totals(cls, cards, names):
        "Principal paid, bonus granted and spent: one SQL aggregate"
        pool = Pool()
        Line = pool.get('beauty.member.card.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        result = {n: defaultdict(Decimal) for n in names}
        query = line.select(
            line.card,
            Sum(Case((line.type == 'topup', line.principal_amount),
                    else_=0)),
            Sum(Case((line.type.in_(['topup', 'bonus']),
                        line.bonus_amount),
                    else_=0)),
            Sum(Case((line.type.in_(['spend', 'return']),
                        -line.principal_amount - line.bonus_amount),
                    else_=0)),
            where=in_(line.card, [c.id for c in cards]),
            group_by=[line.card])
        cursor.execute(*typed(
                query, [None, 'NUMERIC', 'NUMERIC', 'NUMERIC']))
        for card_id, paid, bonus, spent in cursor:
            result['principal_paid'][card_id] = paid or Decimal(0)
            result['bonus_granted'][card_id] = bonus or Decimal(0)
            result['spent'][card_id] = spent or Decimal(0)
        return {n: {c.id: c.company.currency.round(result[n][c.id])
                for c in cards}
            for n in names}

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('beauty.pos.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            company = values.get('company') or cls.default_company()
            sequence = Configuration.get_value(
                'card_sequence', company=company)
            with Transaction().set_context(company=company):
                values['number'] = sequence.get()
        if mode == 'create' and not values.get('level') \
                and values.get('customer'):
            Party = pool.get('party.party')
            level = Party(values['customer']).member_level
            if level:
                values['level'] = level.id
        return values

    @classmethod
    def check_modification(cls, mode, cards, values=None, external=False):
        super().check_modification(
            mode, cards, values=values, external=external)
        if mode == 'delete':
            for card in cards:
                if card.lines:
                    raise LedgerAccessError(gettext(
                            'beauty_pos.msg_card_delete_lines',
                            card=card.rec_name))
        if mode == 'write' and external and (
                {'principal_balance', 'bonus_balance'} & values.keys()):
            raise LedgerAccessError(gettext(
                    'beauty_pos.msg_card_balance_readonly'))

    @classmethod
    def copy(cls, cards, default=None):
        default = default.copy() if default else {}
        default.setdefault('number')
        default.setdefault('lines')
        default.setdefault('refunds')
        default.setdefault('principal_balance', Decimal(0))
        default.setdefault('bonus_balance', Decimal(0))
        default.setdefault('state', 'active')
        return super().copy(cards, default=default)

    @classmethod
    @ModelView.button_action('beauty_pos.wizard_card_topup')
    def topup(cls, cards):
        pass

    @classmethod
    @ModelView.button_action('beauty_pos.wizard_card_refund')
    def refund(cls, cards):
        pass

    @classmethod
    @ModelView.button_action('beauty_pos.wizard_card_adjust')
    def adjust(cls, cards):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('blocked')
    def block(cls, cards):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def unblock(cls, cards):
        pass

    # --- movements -----------------------------------------------------

    @classmethod
    def post_movements(cls, movements):
        """Apply movements to the cards and write their ledger lines.

        movements: dicts with card, type and date, and either amount (spend:
        the positive amount taken, split by the spending order of the store)
        or principal and bonus (signed changes of each part); optional: sale,
        sale_line, payment, refund, description.
        Each card row is locked, its balances changed by one guarded UPDATE
        (see ledger.py) and every line gets the running balances.
        """
        pool = Pool()
        Line = pool.get('beauty.member.card.line')
        Configuration = pool.get('beauty.pos.configuration')
        by_card = defaultdict(list)
        for movement in movements:
            by_card[int(movement['card'])].append(movement)
        if not by_card:
            return []
        card_ids = sorted(by_card)
        cls.lock(cls.browse(card_ids))
        columns = ['principal_balance', 'bonus_balance']
        current = read_for_update(cls, card_ids, columns)
        to_create = []
        for card in cls.browse(card_ids):
            state = current[card.id]
            principal = card.company.currency.round(
                state['principal_balance'] or Decimal(0))
            bonus = card.company.currency.round(
                state['bonus_balance'] or Decimal(0))
            start = {'principal_balance': principal, 'bonus_balance': bonus}
            order = Configuration.get_value(
                'spending_order', company=card.company, required=False
                ) or 'principal_first'
            for movement in by_card[card.id]:
                type_ = movement['type']
                card._check_movement(type_)
                if type_ == 'spend':
                    amount = movement['amount']
                    if amount <= 0:
                        raise AmountError(gettext(
                                'beauty_pos.msg_card_spend_positive',
                                card=card.rec_name))
                    if amount > principal + bonus:
                        raise BalanceError(gettext(
                                'beauty_pos.msg_card_insufficient',
                                card=card.rec_name,
                                balance=principal + bonus, amount=amount))
                    if order == 'bonus_first':
                        d_bonus = min(amount, bonus)
                        d_principal = amount - d_bonus
                    else:
                        d_principal = min(amount, principal)
                        d_bonus = amount - d_principal
                    d_principal, d_bonus = -d_principal, -d_bonus
                else:
                    d_principal = movement.get('principal', Decimal(0))
                    d_bonus = movement.get('bonus', Decimal(0))
                round_ = card.company.currency.round
                d_principal, d_bonus = round_(d_principal), round_(d_bonus)
                if not d_principal and not d_bonus:
                    raise AmountError(gettext(
                            'beauty_pos.msg_card_movement_zero',
                            card=card.rec_name))
                principal += d_principal
                bonus += d_bonus
                if principal < 0 or bonus < 0:
                    raise BalanceError(gettext(
                            'beauty_pos.msg_card_insufficient',
                            card=card.rec_name,
                            balance=start['principal_balance']
                            + start['bonus_balance'],
                            amount=-(d_principal + d_bonus)))
                values = {
                    k: v for k, v in movement.items()
                    if k not in {'amount', 'principal', 'bonus'}}
                values.update({
                        'card': card.id,
                        'company': card.company.id,
                        'principal_amount': d_principal,
                        'bonus_amount': d_bonus,
                        'principal_balance': principal,
                        'bonus_balance': bonus,
                        })
                to_create.append(values)
            result = guarded_update(cls, card.id, {
                    'principal_balance': (
                        principal - start['principal_balance']),
                    'bonus_balance': bonus - start['bonus_balance'],
                    }, start)
            if (result is None
                    or result['principal_balance'] != principal
                    or result['bonus_balance'] != bonus):
                raise BalanceError(gettext(
                        'beauty_pos.msg_card_insufficient',
                        card=card.rec_name,
                        balance=start['principal_balance']
                        + start['bonus_balance'],
                        amount=start['principal_balance']
                        + start['bonus_balance'] - principal - bonus))
        return Line.create(to_create)

    @classmethod
    def adjust_balance(cls, card, part, amount, reason, date=None):
        "A manual adjustment: manager only, with its account move"
        pool = Pool()
        Date = pool.get('ir.date')
        Configuration = pool.get('beauty.pos.configuration')
        if not is_manager():
            raise CardError(gettext('beauty_pos.msg_adjust_manager'))
        if not amount:
            raise AmountError(gettext(
                    'beauty_pos.msg_card_movement_zero', card=card.rec_name))
        if not (reason or '').strip():
            raise CardError(gettext('beauty_pos.msg_adjust_reason'))
        company = card.company
        with Transaction().set_context(company=company.id):
            date = date or Date.today()
        line, = cls.post_movements([{
                    'card': card, 'type': 'adjustment', 'date': date,
                    part: amount, 'description': reason[:200],
                    }])
        with Transaction().set_context(company=company.id):
            prepaid = Configuration.get_value('prepaid_account', company=company)
            bonus = Configuration.get_value('bonus_account', company=company)
            move = build_move(company, date, [
                    (bonus, amount), (prepaid, -amount)],
                origin=line, description=reason[:200])
        post_moves([move])
        return line

    def _check_movement(self, type_):
        if self.state == 'refunded':
            raise CardError(gettext(
                    'beauty_pos.msg_card_refunded', card=self.rec_name))
        if self.state == 'blocked' and type_ in {'spend', 'topup', 'bonus'}:
            raise CardError(gettext(
                    'beauty_pos.msg_card_blocked', card=self.rec_name))

    def refund_lots(self):
        "The refund_rules.Lot of each top-up and bonus credit of the card"
        lots = []
        for line in self.lines:
            if line.type == 'topup':
                lots.append(refund_rules.Lot(
                        date=line.date, principal=line.principal_amount,
                        bonus=line.bonus_amount,
                        reference=line.rec_name))
            elif line.type in {'bonus', 'adjustment'} and (
                    line.bonus_amount > 0):
                lots.append(refund_rules.Lot(
                        date=line.date, principal=Decimal(0),
                        bonus=line.bonus_amount, reference=line.rec_name))
        return lots

    def compute_refund(self, date, reason='customer'):
        pool = Pool()
        Configuration = pool.get('beauty.pos.configuration')
        days = Configuration.get_value(
            'cooling_off_days', company=self.company, required=False)
        if days is None:
            days = 7
        return refund_rules.card_refund(
            self.refund_lots(), self.balance, date, cooling_off_days=days,
            salon_fault=reason == 'salon',
            digits=self.currency.digits)

    def refund_text(self, computation, date):
        "The computation, step by step, in the user's language"
        lang = Pool().get('ir.lang').get()

        def money(amount):
            return lang.currency(amount, self.currency)
        lines = [gettext('beauty_pos.msg_refund_text_header',
                card=self.rec_name, date=lang.strftime(date),
                balance=money(computation.balance),
                principal=money(computation.principal),
                bonus=money(computation.bonus),
                consumed=money(computation.consumed))]
        for i, lot in enumerate(computation.lots, 1):
            p, b = lot.lot.principal, lot.lot.bonus
            lines.append(gettext(
                    'beauty_pos.msg_refund_text_lot', index=i,
                    date=lang.strftime(lot.lot.date),
                    principal=money(p), bonus=money(b),
                    consumed=money(lot.consumed),
                    rule=gettext(RULE_NAMES[lot.rule])))
            if lot.rule == refund_rules.RULE_PRINCIPAL_FIRST:
                lines.append(gettext(
                        'beauty_pos.msg_refund_text_principal_first',
                        principal=money(p), consumed=money(lot.consumed),
                        deduction=money(lot.deduction),
                        refund=money(lot.refund)))
            else:
                lines.append(gettext(
                        'beauty_pos.msg_refund_text_ratio',
                        principal=money(p), bonus=money(b),
                        consumed=money(lot.consumed),
                        deduction=money(lot.deduction),
                        refund=money(lot.refund)))
        lines.append(gettext(
                'beauty_pos.msg_refund_text_total',
                refund=money(computation.refund),
                forfeited=money(computation.forfeited)))
        return '\n'.join(lines)


class CardLine(ModelSQL, ModelView):
    "Stored-value card ledger line: append-only"
    __name__ = 'beauty.member.card.line'
    card = fields.Many2One(
        'beauty.member.card', "Card", required=True, readonly=True,
        ondelete='RESTRICT')
    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True,
        ondelete='RESTRICT')
    date = fields.Date("Date", required=True, readonly=True)
    type = fields.Selection(LINE_TYPES, "Type", required=True, readonly=True)
    principal_amount = Monetary(
        "Principal", currency='currency', digits='currency', required=True,
        readonly=True)
    bonus_amount = Monetary(
        "Bonus", currency='currency', digits='currency', required=True,
        readonly=True)
    amount = fields.Function(Monetary(
            "Amount", currency='currency', digits='currency'),
        'get_amount')
    principal_balance = Monetary(
        "Principal Balance", currency='currency', digits='currency',
        required=True, readonly=True)
    bonus_balance = Monetary(
        "Bonus Balance", currency='currency', digits='currency',
        required=True, readonly=True)
    balance = fields.Function(Monetary(
            "Balance", currency='currency', digits='currency'),
        'get_amount')
    sale = fields.Many2One(
        'sale.point.sale', "Sale", readonly=True, ondelete='RESTRICT')
    sale_line = fields.Many2One(
        'sale.point.sale.line', "Sale Line", readonly=True,
        ondelete='RESTRICT')
    payment = fields.Many2One(
        'sale.point.payment', "Payment", readonly=True, ondelete='RESTRICT')
    refund = fields.Many2One(
        'beauty.member.card.refund', "Refund", readonly=True,
        ondelete='RESTRICT')
    move = fields.Many2One(
        'account.move', "Account Move", readonly=True, ondelete='RESTRICT')
    description = fields.Char("Description", readonly=True)
    customer = fields.Function(fields.Many2One(
            'party.party', "Customer"), 'get_customer',
        searcher='search_customer')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        cls._sql_constraints += [
            ('payment_type_unique', Unique(t, t.payment, t.type),
                'beauty_pos.msg_card_payment_once'),
            ('sale_line_topup_unique', Unique(t, t.sale_line, t.type),
                'beauty_pos.msg_card_payment_once'),
            ('balances_positive',
                Check(t, (t.principal_balance >= 0) & (t.bonus_balance >= 0)),
                'beauty_pos.msg_card_negative_check'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.card, Index.Range()),
                    (t.id, Index.Range(order='DESC'))),
                Index(t, (t.company, Index.Range()),
                    (t.date, Index.Range())),
                Index(t, (t.sale, Index.Range()), where=t.sale != Null),
                })

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def get_amount(cls, lines, names):
        result = {n: {} for n in names}
        for line in lines:
            if 'amount' in names:
                result['amount'][line.id] = (
                    line.principal_amount + line.bonus_amount)
            if 'balance' in names:
                result['balance'][line.id] = (
                    line.principal_balance + line.bonus_balance)
        return result

    def get_customer(self, name):
        return self.card.customer.id

    @classmethod
    def search_customer(cls, name, clause):
        return [('card.customer',) + tuple(clause[1:])]

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.card.number, self.date, dict(LINE_TYPES)[self.type])

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise LedgerAccessError(gettext(
                    'beauty_pos.msg_ledger_append_only',
                    ledger=cls.__names__()['model']))


class CardRefund(RefundMixin, ModelSQL, ModelView):
    "Stored-value card refund (退卡), with its computation"
    __name__ = 'beauty.member.card.refund'
    _refunded = 'card'
    _refunded_once = 'beauty_pos.msg_card_refund_once'
    card = fields.Many2One(
        'beauty.member.card', "Card", required=True, readonly=True,
        ondelete='RESTRICT')
    balance = Monetary(
        "Balance Before", currency='currency', digits='currency',
        readonly=True)
    principal_paid = Monetary(
        "Principal Paid", currency='currency', digits='currency',
        readonly=True)
    consumed = Monetary(
        "Consumed", currency='currency', digits='currency', readonly=True)
    forfeited = Monetary(
        "Forfeited", currency='currency', digits='currency', readonly=True,
        help="The part of the balance that is not paid back (bonus).")

    @classmethod
    def validate_fields(cls, refunds, field_names):
        super().validate_fields(refunds, field_names)
        for refund in refunds:
            if refund.amount > refund.principal_paid or (
                    refund.amount > refund.balance):
                raise RefundError(gettext(
                        'beauty_pos.msg_refund_beyond_paid',
                        card=refund.card.rec_name,
                        amount=refund.amount,
                        paid=refund.principal_paid,
                        balance=refund.balance))

    @classmethod
    def make(cls, card, date, reason, method, expected=None, note=None):
        """Refund the card: lock it, compute the refund from the ledger (fresh),
        write the refund ledger line emptying both balances, the account move
        and the commission clawback; the card becomes refunded."""
        pool = Pool()
        Card = pool.get('beauty.member.card')
        Configuration = pool.get('beauty.pos.configuration')
        Commission = pool.get('beauty.commission')
        card = cls.lock_refundable(
            card, method, 'beauty_pos.msg_card_refunded')
        computation = card.compute_refund(date, reason)
        cls.check_expected(card, computation, expected)
        company = card.company
        refund = cls(
            card=card, company=company, date=date, reason=reason,
            method=method, balance=computation.balance,
            principal_paid=computation.principal,
            consumed=computation.consumed, amount=computation.refund,
            forfeited=computation.forfeited,
            cooling_off=computation.cooling_off,
            computation=card.refund_text(computation, date), note=note)
        refund.save()
        if computation.balance:
            Card.post_movements([{
                        'card': card, 'type': 'refund', 'date': date,
                        'principal': -card.principal_balance,
                        'bonus': -card.bonus_balance,
                        'refund': refund.id,
                        }])
        with Transaction().set_context(company=company.id):
            prepaid = Configuration.get_value('prepaid_account', company=company)
            breakage = Configuration.get_value(
                'breakage_account', company=company)
        refund.post_move([
                (prepaid, computation.balance),
                (method.account, -computation.refund),
                (breakage, -computation.forfeited),
                ], gettext('beauty_pos.msg_move_card_refund',
                card=card.number))
        Card.write([card], {'state': 'refunded'})
        principal = computation.principal
        if principal:
            Commission.clawback_card_refund(card, refund, computation.refund
                / principal, date)
        return refund


class CardRefundStart(RefundStartMixin, ModelView):
    "Card refund"
    __name__ = 'beauty.member.card.refund.start'
    card = fields.Many2One('beauty.member.card', "Card", readonly=True)
    reason = fields.Selection(
        REFUND_REASONS, "Reason", required=True,
        help="A refund caused by the salon (closing, unable to serve) "
        "always values consumption at the price actually paid.")
    balance = Monetary(
        "Balance", currency='currency', digits='currency', readonly=True)
    principal_paid = Monetary(
        "Principal Paid", currency='currency', digits='currency',
        readonly=True)
    consumed = Monetary(
        "Consumed", currency='currency', digits='currency', readonly=True)
    forfeited = Monetary(
        "Forfeited", currency='currency', digits='currency', readonly=True)

    @fields.depends('card', 'date', 'reason')
    def on_change_reason(self):
        if self.card and self.date and self.reason:
            computation = self.card.compute_refund(self.date, self.reason)
            self.balance = computation.balance
            self.principal_paid = computation.principal
            self.consumed = computation.consumed
            self.amount = computation.refund
            self.forfeited = computation.forfeited
            self.computation = self.card.refund_text(computation, self.date)


class CardRefundWizard(Wizard):
    "Refund a stored-value card"
    __name__ = 'beauty.member.card.refund.wizard'
    start = StateView(
        'beauty.member.card.refund.start',
        'beauty_pos.card_refund_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Confirm Refund", 'refund', 'tryton-ok', default=True),
            ])
    refund = StateTransition()

    def default_start(self, fields):
        card = self.record
        values = refund_start_defaults(card, 'card')
        start = self.start.__class__(**values)
        start.card = card
        start.on_change_reason()
        values.update({
                'balance': start.balance,
                'principal_paid': start.principal_paid,
                'consumed': start.consumed,
                'amount': start.amount,
                'forfeited': start.forfeited,
                'computation': start.computation,
                })
        return values

    def transition_refund(self):
        pool = Pool()
        Card = pool.get('beauty.member.card')
        Refund = pool.get('beauty.member.card.refund')
        card = self.record
        refund = Refund.make(
            card, self.start.date, self.start.reason, self.start.method,
            expected=self.start.amount, note=self.start.note)
        return 'end'


class CardAdjustStart(ModelView):
    "Card adjustment"
    __name__ = 'beauty.member.card.adjust.start'
    card = fields.Many2One('beauty.member.card', "Card", readonly=True)
    part = fields.Selection([
            ('principal', "Principal"),
            ('bonus', "Bonus"),
            ], "Part", required=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        help="Positive to credit the card, negative to debit it.")
    reason = fields.Text("Reason", required=True)
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)


class CardAdjust(Wizard):
    "Adjust a stored-value card (manager)"
    __name__ = 'beauty.member.card.adjust'
    start = StateView(
        'beauty.member.card.adjust.start',
        'beauty_pos.card_adjust_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Adjust", 'adjust', 'tryton-ok', default=True),
            ])
    adjust = StateTransition()

    def default_start(self, fields):
        return {
            'card': self.record.id,
            'currency': self.record.currency.id,
            'part': 'bonus',
            }

    def transition_adjust(self):
        pool = Pool()
        Card = pool.get('beauty.member.card')
        Card.adjust_balance(
            self.record, self.start.part, self.start.amount,
            self.start.reason)
        return 'end'


class CardTopUpStart(ModelView):
    "Card top-up"
    __name__ = 'beauty.member.card.topup.start'
    card = fields.Many2One('beauty.member.card', "Card", readonly=True)
    point = fields.Many2One(
        'sale.point', "Point of Sale", required=True,
        domain=[('company', '=', Eval('company', -1))])
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        domain=[('amount', '>', 0)])
    bonus = Monetary(
        "Bonus", currency='currency', digits='currency', required=True,
        domain=[('bonus', '>=', 0)],
        states={
            'readonly': ~Id('beauty_customer', 'group_manager').in_(
                Eval('context', {}).get('groups', [])),
            },
        help="Given by the top-up rules; only a manager may change it.")
    method = fields.Many2One(
        'sale.point.payment.method', "Paid By", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('kind', 'in', ['cash', 'wechat', 'alipay', 'bank', 'other']),
            ])
    company = fields.Many2One('company.company', "Store", readonly=True)
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)

    @fields.depends('card', 'amount', 'company')
    def on_change_amount(self):
        pool = Pool()
        Rule = pool.get('beauty.member.topup.rule')
        Date = pool.get('ir.date')
        if self.card and self.amount:
            with Transaction().set_context(company=self.card.company.id):
                today = Date.today()
            self.bonus = Rule.bonus_for(
                self.card.company, self.amount, today,
                self.card.customer.member_level)


class CardTopUp(Wizard):
    "Top up a stored-value card through the checkout"
    __name__ = 'beauty.member.card.topup'
    start = StateView(
        'beauty.member.card.topup.start',
        'beauty_pos.card_topup_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Top Up", 'topup', 'tryton-ok', default=True),
            ])
    topup = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        Point = pool.get('sale.point')
        card = self.record
        values = {
            'card': card.id,
            'company': card.company.id,
            'currency': card.currency.id,
            'bonus': Decimal(0),
            }
        points = Point.search([('company', '=', card.company.id)], limit=1)
        if points:
            values['point'] = points[0].id
        return values

    def transition_topup(self):
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Sale.topup_card(
            self.record, self.start.point, self.start.amount,
            self.start.bonus, self.start.method)
        return 'end'
