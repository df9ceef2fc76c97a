# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Checkout (结账) on Tryton's point of sale (sale.point.sale).

One sale mixes services, products, card top-ups and packages sold, and is
paid by a split of tenders: money (cash, WeChat Pay, Alipay, bank card),
stored-value card balance, package sessions, a coupon and points.

Processing a sale (``do``, the "process" button and the pay wizard) is
idempotent: the sale rows are locked, their state read again and only open
sales are processed, so a double click never charges twice; every movement
it makes is also unique per payment in the database.

Allocation of the tenders to the lines (kept on each line, the base of the
performance and commission figures):

1. package sessions pay the service line they cover;
2. the coupon pays its eligible lines, pro rata;
3. card balance and points pay the other lines except top-ups, pro rata;
4. money pays what is left.

Suggested combination (the "Suggest" button), a documented rule: use first
what expires first, then what cannot be given back as money:

1. package sessions: each service line is covered by a session of a usable
   package of the customer for that service, the package expiring first;
2. coupon: the usable coupon taking the most off (ties: expiring first);
3. stored-value cards: the customer's active cards of the store, smallest
   balance first, until the rest is paid;
4. the rest is paid with money. Points are never used unless the customer
   asks (they are also her gifts).
"""
import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

from sql import Null
from sql.conditionals import Coalesce
from sql.operators import Equal

from beauty_customer.party import read_selection_texts

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Exclude, Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.modules.product import round_price
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, TransactionError
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import (
    AmountError, CheckoutError, CouponError, PackageError, PointsError,
    ReturnError)

MONEY_KINDS = ['cash', 'wechat', 'alipay', 'bank', 'other']
MEMBER_KINDS = ['card', 'package', 'coupon', 'points']
TENDER_KINDS = [
    ('cash', "Cash"),
    ('wechat', "WeChat Pay"),
    ('alipay', "Alipay"),
    ('bank', "Bank Card"),
    ('card', "Stored-value Card"),
    ('package', "Package Session"),
    ('coupon', "Coupon"),
    ('points', "Points"),
    ('other', "Other"),
    ]
LINE_KINDS = [
    ('goods', "Product"),
    ('service', "Service"),
    ('topup', "Card Top-up"),
    ('package', "Package Sale"),
    ]
ZERO = Decimal(0)


class LocksMissing(TransactionError):
    "Several locks a transaction did not hold: restart it with all of them"

    def __init__(self, errors):
        super().__init__()
        self.errors = errors

    def fix(self, extras):
        super().fix(extras)
        for error in self.errors:
            error.fix(extras)


def config_account(name, company):
    pool = Pool()
    Configuration = pool.get('beauty.pos.configuration')
    return Configuration.get_value(name, company=company)


class POSPaymentMethod(metaclass=PoolMeta):
    __name__ = 'sale.point.payment.method'
    kind = fields.Selection(
        TENDER_KINDS, "Kind", required=True,
        help="Money (cash, WeChat Pay, Alipay, bank card) or a member "
        "tender (card balance, package session, coupon, points).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('member_kind_company_unique',
                Exclude(t, (t.company, Equal), (t.kind, Equal),
                    where=(t.active == True)  # noqa: E712
                    & t.kind.in_(MEMBER_KINDS)),
                'beauty_pos.msg_payment_method_kind_unique'),
            ]
        cls.cash.states = {'readonly': True}
        cls.cash.help = "Set from the kind: the cash drawer."

    @classmethod
    def __register__(cls, module_name):
        table_h = cls.__table_handler__(module_name)
        created = not table_h.column_exist('kind')
        super().__register__(module_name)
        if created:
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.update(
                    [table.kind], ['cash'],
                    where=table.cash == True))  # noqa: E712
            cursor.execute(*table.update(
                    [table.kind], ['other'], where=table.kind == Null))

    @staticmethod
    def default_kind():
        return 'other'

    @fields.depends('kind')
    def on_change_kind(self):
        self.cash = self.kind == 'cash'

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if 'kind' in values:
            values['cash'] = values['kind'] == 'cash'
        return values

    @property
    def is_money(self):
        return self.kind in MONEY_KINDS

    def get_account(self):
        "The account a payment by this method debits"
        names = {
            'card': 'prepaid_account',
            'package': 'package_account',
            'coupon': 'coupon_account',
            'points': 'points_account',
            }
        if self.kind in names:
            return config_account(names[self.kind], self.company)
        return self.account

    @classmethod
    def of_kind(cls, company, kind):
        methods = cls.search([
                ('company', '=', int(company)),
                ('kind', '=', kind),
                ], limit=1)
        if not methods:
            raise CheckoutError(gettext(
                    'beauty_pos.msg_payment_method_missing',
                    kind=dict(cls.fields_get(['kind'])['kind']['selection'])[
                        kind]))
        return methods[0]


class POSSale(metaclass=PoolMeta):
    __name__ = 'sale.point.sale'

    customer = fields.Many2One(
        'party.party', "Customer", ondelete='RESTRICT',
        states={
            'readonly': (Eval('state') != 'open')
            | Bool(Eval('returned_sale')),
            },
        help="The member: needed for cards, packages, coupons and points.")
    member_level = fields.Function(fields.Many2One(
            'beauty.member.level', "Member Level"),
        'on_change_with_member_level')
    returned_sale = fields.Many2One(
        'sale.point.sale', "Returned Sale", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': ~Eval('returned_sale'),
            })
    returns = fields.One2Many(
        'sale.point.sale', 'returned_sale', "Returns", readonly=True,
        states={
            'invisible': ~Eval('returns'),
            })
    signature = fields.Binary(
        "Customer Signature", file_id='signature_id',
        states={
            'readonly': Eval('state') != 'open',
            },
        help="The customer signs to confirm the package sessions used.")
    signature_id = fields.Char("Signature ID", readonly=True)

    confirmation_code = fields.Char(
        "Confirmation Code", size=12,
        states={
            'readonly': Eval('state') != 'open',
            },
        help="The one-time code the customer received (instead of a "
        "signature).")
    points_earned = fields.Integer(
        "Points Earned", readonly=True,
        states={
            'invisible': ~Eval('customer'),
            })
    customer_packages = fields.Function(fields.Many2Many(
            'beauty.package.line', None, None, "Package Sessions",
            readonly=True,
            help="The customer's package sessions still usable."),
        'get_customer_tenders')
    customer_cards = fields.Function(fields.Many2Many(
            'beauty.member.card', None, None, "Cards", readonly=True),
        'get_customer_tenders')
    customer_coupons = fields.Function(fields.Many2Many(
            'beauty.coupon', None, None, "Coupons", readonly=True),
        'get_customer_tenders')
    customer_points = fields.Function(fields.Integer("Points"),
        'get_customer_tenders')
    suggestion = fields.Function(fields.Text(
            "Suggested Payment",
            help="The best combination of the customer's packages, coupon "
            "and cards for this sale."),
        'get_suggestion')

    @classmethod
    def default_point(cls):
        "The checkout of the store when it has only one (most salons)"
        pool = Pool()
        Point = pool.get('sale.point')
        company = Transaction().context.get('company')
        if company:
            points = Point.search([('company', '=', company)], limit=2)
            if len(points) == 1:
                return points[0].id

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                # the default order of the checkout list (date, id
                # descending): its first page without sorting every sale
                Index(t, (t.date, Index.Range(order='DESC')),
                    (t.id, Index.Range(order='DESC'))),
                Index(t, (t.customer, Index.Range()),
                    (t.date, Index.Range())),
                Index(t, (t.company, Index.Range()), (t.date, Index.Range())),
                Index(t, (t.returned_sale, Index.Range()),
                    where=t.returned_sale != Null),
                })
        cls._buttons.update({
                'suggest': {
                    'invisible': (Eval('state') != 'open')
                    | ~Eval('customer') | Bool(Eval('returned_sale')),
                    'depends': ['state', 'customer', 'returned_sale'],
                    },
                'send_code': {
                    'invisible': (Eval('state') != 'open')
                    | ~Eval('customer'),
                    'depends': ['state', 'customer'],
                    },
                'return_': {
                    'invisible': ~Eval('state').in_(['done', 'posted'])
                    | Bool(Eval('returned_sale')),
                    'depends': ['state', 'returned_sale'],
                    },
                })

    @fields.depends('customer')
    def on_change_with_member_level(self, name=None):
        if self.customer:
            return self.customer.member_level

    @fields.depends('customer', 'lines', methods=['_reprice_lines'])
    def on_change_customer(self):
        self._reprice_lines()

    @fields.depends('lines', 'customer')
    def _reprice_lines(self):
        for line in self.lines:
            if getattr(line, 'product', None):
                line.on_change_product()

    @classmethod
    def get_rec_name(cls, sales, name):
        """The number and the customer's name, read in one query per slice
        (record by record, each sale loaded its columns then its customer's,
        the better part of reading a page of the checkout list)"""
        pool = Pool()
        Party = pool.get('party.party')
        sale = cls.__table__()
        party = Party.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in grouped_slice(
                [s.id for s in sales], backend.MAX_QUERY_PARAMS):
            cursor.execute(*sale.join(party, 'LEFT',
                    condition=sale.customer == party.id).select(
                    sale.id, sale.number, sale.customer, party.name,
                    Coalesce(party.code, ''),
                    where=sale.id.in_(list(sub_ids))))
            for id_, number, customer, customer_name, code in cursor:
                # ModelStorage.get_rec_name, then the party's rec_name
                name = str(number or '(%s)' % id_)
                if customer is not None:
                    name = '%s %s' % (name, customer_name or '[%s]' % code)
                result[id_] = name
        return result

    @classmethod
    def read(cls, ids, fields_names):
        "The texts of the state (and other fixed selections) once per call"
        return read_selection_texts(cls, super().read, ids, fields_names)

    @classmethod
    def copy(cls, sales, default=None):
        default = default.copy() if default else {}
        default.setdefault('returned_sale')
        default.setdefault('returns')
        default.setdefault('points_earned')
        default.setdefault('signature')
        default.setdefault('confirmation_code')
        return super().copy(sales, default=default)

    @classmethod
    def get_customer_tenders(cls, sales, names):
        "What the customer may pay with, for the sale's store and date"
        pool = Pool()
        PackageLine = pool.get('beauty.package.line')
        Card = pool.get('beauty.member.card')
        Coupon = pool.get('beauty.coupon')
        result = {n: {} for n in names}
        for sale in sales:
            customer = sale.customer
            for name in names:
                result[name][sale.id] = (
                    0 if name == 'customer_points' else [])
            if not customer:
                continue
            if 'customer_packages' in names:
                result['customer_packages'][sale.id] = [
                    l.id for l in PackageLine.search([
                            ('package.customer', '=', customer.id),
                            ('package.company', '=', sale.company.id),
                            ('package.state', '=', 'active'),
                            ('package.expiry_date', '>=', sale.date),
                            ('remaining', '>', 0),
                            ], order=[('package.expiry_date', 'ASC')])]
            if 'customer_cards' in names:
                result['customer_cards'][sale.id] = [
                    c.id for c in Card.search([
                            ('customer', '=', customer.id),
                            ('company', '=', sale.company.id),
                            ('state', '=', 'active'),
                            ])]
            if 'customer_coupons' in names:
                result['customer_coupons'][sale.id] = [
                    c.id for c in Coupon.search([
                            ('customer', '=', customer.id),
                            ('company', '=', sale.company.id),
                            ('state', '=', 'issued'),
                            ('expiry_date', '>=', sale.date),
                            ], order=[('expiry_date', 'ASC')])]
            if 'customer_points' in names:
                result['customer_points'][sale.id] = (
                    customer.points_balance or 0)
        return result

    # --- suggestion ----------------------------------------------------

    def _suggest(self):
        """The suggested plan: ([(sale line, package line)], coupon or None
        with its amount, [(card, amount)]) following the documented rule"""
        pool = Pool()
        PackageLine = pool.get('beauty.package.line')
        Card = pool.get('beauty.member.card')
        Coupon = pool.get('beauty.coupon')
        customer = self.customer
        if not customer or self.state != 'open' or self.returned_sale:
            return [], (None, ZERO), []
        sessions = []
        taken = defaultdict(int)
        covered = set()
        for line in self.lines:
            if line.package_line:
                covered.add(line.id)
                taken[line.package_line.id] += int(line.quantity)
        to_cover = [l for l in self.lines
            if l.id not in covered and l.kind == 'service'
            and l.quantity > 0 and l.quantity == int(l.quantity)]
        # the usable sessions of every service of the sale in one search
        available = defaultdict(list)
        if to_cover:
            for pline in PackageLine.available(
                    customer, sorted({l.product.id for l in to_cover}),
                    self.date, self.company):
                available[pline.service.id].append(pline)
        for line in to_cover:
            for pline in available[line.product.id]:
                if pline.remaining - taken[pline.id] >= line.quantity:
                    taken[pline.id] += int(line.quantity)
                    sessions.append((line, pline))
                    covered.add(line.id)
                    break
        # what is left to pay per line after the package sessions
        items = []
        for line in self.lines:
            if line.id in covered or line.kind in {'topup', 'package'}:
                continue
            items.append((line.product, line.quantity,
                    line.unit_gross_price or ZERO, line.amount or ZERO))
        has_coupon = any(
            p.method.kind == 'coupon' for p in self.payments if p.method)
        best, best_amount = None, ZERO
        if not has_coupon:
            for coupon in Coupon.search([
                        ('customer', '=', customer.id),
                        ('company', '=', self.company.id),
                        ('state', '=', 'issued'),
                        ('expiry_date', '>=', self.date),
                        ], order=[('expiry_date', 'ASC'), ('id', 'ASC')]):
                amount = coupon.template.discount_for(items)
                if amount > best_amount:
                    best, best_amount = coupon, amount
        covered_amount = sum(
            (l.amount or ZERO for l in self.lines if l.id in covered
                and not l.package_line), ZERO)
        paid = sum((p.amount or ZERO for p in self.payments), ZERO)
        card_payable = sum((i[3] for i in items), ZERO) - best_amount
        to_pay = (self.total or ZERO) - paid - covered_amount - best_amount
        to_pay = min(to_pay, card_payable - sum(
                (p.amount or ZERO for p in self.payments
                    if p.method and p.method.kind in {'card', 'points'}),
                ZERO))
        cards = []
        if to_pay > 0:
            used = {p.card.id for p in self.payments if p.card}
            for card in sorted(Card.search([
                            ('customer', '=', customer.id),
                            ('company', '=', self.company.id),
                            ('state', '=', 'active'),
                            ]), key=lambda c: (c.balance, c.id)):
                if card.id in used or card.balance <= 0:
                    continue
                amount = min(card.balance, to_pay)
                cards.append((card, amount))
                to_pay -= amount
                if to_pay <= 0:
                    break
        return sessions, (best, best_amount), cards

    @classmethod
    def get_suggestion(cls, sales, name):
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        result = {}
        for sale in sales:
            sessions, (coupon, amount), cards = sale._suggest()
            lines = []
            for line, pline in sessions:
                lines.append(gettext(
                        'beauty_pos.msg_suggest_session',
                        service=line.product.rec_name,
                        package=pline.package.rec_name,
                        expiry=lang.strftime(pline.package.expiry_date)))
            if coupon:
                lines.append(gettext(
                        'beauty_pos.msg_suggest_coupon',
                        coupon=coupon.rec_name,
                        amount=lang.currency(amount, sale.currency)))
            for card, card_amount in cards:
                lines.append(gettext(
                        'beauty_pos.msg_suggest_card',
                        card=card.number,
                        amount=lang.currency(card_amount, sale.currency),
                        balance=lang.currency(card.balance, sale.currency)))
            result[sale.id] = '\n'.join(lines) or None
        return result

    @classmethod
    @ModelView.button
    def suggest(cls, sales):
        "Apply the suggested combination (the rest is paid with money)"
        pool = Pool()
        Line = pool.get('sale.point.sale.line')
        Payment = pool.get('sale.point.payment')
        Method = pool.get('sale.point.payment.method')
        # the lines are saved in the context of their sale: saved, they do
        # not sync the package payments, synced once below for all sales
        with Transaction().set_context(_beauty_pos_no_payment_sync=True):
            unsynced = cls.browse([s.id for s in sales])
        for sale in unsynced:
            sessions, (coupon, amount), cards = sale._suggest()
            lines = []
            for line, pline in sessions:
                line.package_line = pline
                line.on_change_package_line()
                lines.append(line)
            Line.save(lines)
            payments = []
            if coupon and amount:
                payments.append(Payment(
                        sale=sale, coupon=coupon, amount=amount,
                        method=Method.of_kind(sale.company, 'coupon')))
            if cards:
                method = Method.of_kind(sale.company, 'card')
                for card, card_amount in cards:
                    payments.append(Payment(
                            sale=sale, card=card, amount=card_amount,
                            method=method))
            Payment.save(payments)
        cls.sync_package_payments(sales)

    # --- confirmation code ---------------------------------------------

    @classmethod
    @ModelView.button
    def send_code(cls, sales):
        "Send the customer a one-time code confirming her package uses"
        pool = Pool()
        Confirmation = pool.get('beauty.pos.confirmation')
        for sale in sales:
            if not sale.customer:
                raise CheckoutError(gettext(
                        'beauty_pos.msg_checkout_customer_required',
                        sale=sale.rec_name))
            Confirmation.send(sale.customer, sale=sale)

    # --- package payments ------------------------------------------------

    @classmethod
    def sync_package_payments(cls, sales):
        """One package payment per line covered by a package session, of
        the line's amount (kept in step with the lines).
        Return whether a payment was created, changed or deleted."""
        pool = Pool()
        Payment = pool.get('sale.point.payment')
        Method = pool.get('sale.point.payment.method')
        to_save, to_delete = [], []
        for sale in sales:
            if sale.state != 'open' or sale.returned_sale:
                continue
            existing = {}
            for payment in sale.payments:
                if payment.method.kind == 'package':
                    if (payment.sale_line and payment.sale_line.package_line
                            and payment.sale_line.id not in existing):
                        existing[payment.sale_line.id] = payment
                    else:
                        to_delete.append(payment)
            method = None
            for line in sale.lines:
                if not line.package_line:
                    continue
                payment = existing.pop(line.id, None)
                if payment is None:
                    if method is None:
                        method = Method.of_kind(sale.company, 'package')
                    payment = Payment(
                        sale=sale, method=method, sale_line=line,
                        amount=None, package_line=None)
                if payment.amount != line.amount:
                    payment.amount = line.amount
                if payment.package_line != line.package_line:
                    payment.package_line = line.package_line
                # an unchanged payment is not written again
                if payment.id is None or payment.id < 0 or payment._values:
                    to_save.append(payment)
            to_delete.extend(existing.values())
        if to_delete:
            Payment.delete(to_delete)
        if to_save:
            Payment.save(to_save)
        return bool(to_delete or to_save)

    # --- processing --------------------------------------------------------

    @classmethod
    def do(cls, sales):
        """Process the sales: lock them, keep only those still open (a
        repeated request finds them done and does nothing), check and
        apply every tender, then number them (upstream)."""
        cls.lock_for_processing(sales)
        sales = cls.browse([s.id for s in sales])
        sales = [s for s in sales if s.state == 'open']
        if not sales:
            return
        cls._lock_tenders(sales)
        if cls.sync_package_payments(sales):
            # read again the payments it changed
            sales = cls.browse([s.id for s in sales])
        for sale in sales:
            sale.check_checkout()
        cls.allocate(sales)
        sales = cls.browse([s.id for s in sales])
        normal = [s for s in sales if not s.returned_sale]
        returns = [s for s in sales if s.returned_sale]
        if normal:
            cls._apply_tenders(normal)
        if returns:
            cls._apply_returns(returns)
        super().do(sales)
        # once done, the sales count in the cumulative spend
        pool = Pool()
        Party = pool.get('party.party')
        customers = list({s.customer.id for s in sales if s.customer})
        if customers:
            Party.update_member_levels(Party.browse(customers))

    @classmethod
    def lock_for_processing(cls, sales):
        """Lock the sales; when the transaction does not hold their lock,
        ask it with the locks of every row their processing changes, at
        once: Tryton takes locks only when a transaction starts and each
        lock it does not hold restarts the request (the sales' lock asked
        alone, then the tenders', was one restart more). The tenders are
        read here before the sales' lock: do reads the sales again under it
        and checks their locks (a sale changed meanwhile may need others:
        one more restart then)."""
        try:
            cls.lock(sales)
            return
        except TransactionError:
            pass
        open_ = [s for s in sales if s.state == 'open']
        locks = [(cls, [s.id for s in sales])]
        if open_:
            locks += cls._tender_locks(open_)
        cls._lock_all(locks)

    @classmethod
    def _lock_all(cls, locks):
        "Lock [(Model, ids or None: the table)]: every missing lock at once"
        missing = []
        for Model, ids in locks:
            try:
                Model.lock(Model.browse(ids) if ids is not None else None)
            except TransactionError as error:
                missing.append(error)
        if missing:
            raise LocksMissing(missing)

    @classmethod
    def _lock_tenders(cls, sales):
        """Lock every row the processing will change (cards, package
        sessions, customers' points) before writing anything: Tryton
        restarts a transaction to take its locks, and a restart after a
        write would waste numbers"""
        cls._lock_all(cls._tender_locks(sales))

    @classmethod
    def _tender_locks(cls, sales):
        """The rows the processing of the (open) sales changes, to lock:
        [(Model, ids or None for the table)]"""
        pool = Pool()
        Card = pool.get('beauty.member.card')
        PackageLine = pool.get('beauty.package.line')
        Party = pool.get('party.party')
        cards, plines, parties = set(), set(), set()
        for sale in sales:
            if sale.customer:
                parties.add(sale.customer.id)
            if sale.returned_sale and sale.returned_sale.customer:
                parties.add(sale.returned_sale.customer.id)
            for payment in sale.payments:
                if payment.card:
                    cards.add(payment.card.id)
                if payment.package_line:
                    plines.add(payment.package_line.id)
            for line in sale.lines:
                if line.card:
                    cards.add(line.card.id)
                if line.package_line:
                    plines.add(line.package_line.id)
        # Tryton takes locks only when a transaction starts: each lock it
        # does not hold restarts the request, which then does everything
        # again up to the next one. Every missing lock is asked at once:
        # one restart instead of four.
        locks = []
        if cards:
            locks.append((Card, sorted(cards)))
        if plines:
            locks.append((PackageLine, sorted(plines)))
        if parties:
            locks.append((Party, sorted(parties)))
        if any(not s.number for s in sales):
            # numbering (upstream do) locks the strict sequences
            locks.append((pool.get('ir.sequence.strict'), None))
        return locks

    def check_checkout(self):
        "Bad input gets a clear error before anything is written"
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        is_return = bool(self.returned_sale)
        members = [p for p in self.payments
            if p.method.kind in MEMBER_KINDS]
        special = [l for l in self.lines
            if l.kind in {'topup', 'package'} or l.package_line]
        if (members or special) and not self.customer:
            raise CheckoutError(gettext(
                    'beauty_pos.msg_checkout_customer_required',
                    sale=self.rec_name))
        if not self.lines:
            raise CheckoutError(gettext(
                    'beauty_pos.msg_checkout_no_line', sale=self.rec_name))
        for line in self.lines:
            if not is_return and line.quantity <= 0:
                raise AmountError(gettext(
                        'beauty_pos.msg_checkout_quantity_positive',
                        line=line.rec_name))
            if is_return and line.quantity >= 0:
                raise AmountError(gettext(
                        'beauty_pos.msg_return_quantity_negative',
                        line=line.rec_name))
            if (line.unit_gross_price or ZERO) < 0:
                raise AmountError(gettext(
                        'beauty_pos.msg_checkout_price_negative',
                        line=line.rec_name))
            if line.kind == 'topup':
                if is_return:
                    raise ReturnError(gettext(
                            'beauty_pos.msg_return_topup',
                            line=line.rec_name))
                if line.quantity != 1 or (line.amount or ZERO) <= 0:
                    raise AmountError(gettext(
                            'beauty_pos.msg_topup_amount_positive',
                            line=line.rec_name))
                if (line.bonus or ZERO) < 0:
                    raise AmountError(gettext(
                            'beauty_pos.msg_topup_bonus_negative',
                            line=line.rec_name))
                if line.card and (line.card.customer != self.customer
                        or line.card.company != self.company):
                    raise CheckoutError(gettext(
                            'beauty_pos.msg_topup_card_other',
                            card=line.card.rec_name,
                            customer=self.customer.rec_name))
            if line.kind == 'package':
                if is_return:
                    raise ReturnError(gettext(
                            'beauty_pos.msg_return_package',
                            line=line.rec_name))
                if line.quantity != int(line.quantity):
                    raise AmountError(gettext(
                            'beauty_pos.msg_package_quantity_whole',
                            line=line.rec_name))
            if line.package_line and not is_return:
                pline = line.package_line
                if pline.service != line.product:
                    raise PackageError(gettext(
                            'beauty_pos.msg_package_service_not_in',
                            service=line.product.rec_name,
                            package=pline.package.rec_name))
                if pline.package.customer != self.customer:
                    raise PackageError(gettext(
                            'beauty_pos.msg_package_other_customer',
                            package=pline.package.rec_name,
                            customer=pline.package.customer.rec_name))
                if line.quantity != int(line.quantity):
                    raise AmountError(gettext(
                            'beauty_pos.msg_package_quantity_whole',
                            line=line.rec_name))
                pline.package.check_usable(self.date)
        for payment in self.payments:
            kind = payment.method.kind
            amount = payment.amount or ZERO
            if not amount:
                raise AmountError(gettext(
                        'beauty_pos.msg_payment_amount_zero',
                        payment=payment.rec_name))
            if kind != 'cash' and (amount < 0) != is_return:
                raise AmountError(gettext(
                        'beauty_pos.msg_payment_amount_sign',
                        payment=payment.rec_name,
                        method=payment.method.rec_name,
                        amount=lang.currency(amount, self.currency)))
            if kind == 'card':
                if not payment.card:
                    raise CheckoutError(gettext(
                            'beauty_pos.msg_payment_card_required',
                            payment=payment.rec_name))
                if (payment.card.customer != self.customer
                        or payment.card.company != self.company):
                    raise CheckoutError(gettext(
                            'beauty_pos.msg_payment_card_other',
                            card=payment.card.rec_name,
                            customer=self.customer.rec_name))
            if kind == 'coupon':
                if not payment.coupon:
                    raise CouponError(gettext(
                            'beauty_pos.msg_payment_coupon_required',
                            payment=payment.rec_name))
                if not is_return:
                    payment.coupon.check_usable(
                        self.customer, self.date, self.company)
            if kind == 'points':
                if not payment.points or payment.points <= 0:
                    raise PointsError(gettext(
                            'beauty_pos.msg_payment_points_required',
                            payment=payment.rec_name))
            if kind == 'package' and not payment.sale_line:
                raise PackageError(gettext(
                        'beauty_pos.msg_payment_package_line',
                        payment=payment.rec_name))
        coupons = [p for p in self.payments if p.method.kind == 'coupon']
        if len(coupons) > 1:
            raise CouponError(gettext(
                    'beauty_pos.msg_checkout_one_coupon',
                    sale=self.rec_name))
        if not is_return:
            for payment in coupons:
                expected = payment.coupon.template.discount_for(
                    self.coupon_items())
                if not expected:
                    raise CouponError(gettext(
                            'beauty_pos.msg_coupon_conditions',
                            coupon=payment.coupon.code,
                            threshold=lang.currency(
                                payment.coupon.template.threshold,
                                self.currency)))
                if payment.amount != expected:
                    raise CouponError(gettext(
                            'beauty_pos.msg_coupon_amount',
                            coupon=payment.coupon.code,
                            amount=lang.currency(expected, self.currency)))
            for payment in self.payments:
                if payment.method.kind == 'points':
                    expected = self.points_value(payment.points)
                    if payment.amount != expected:
                        raise PointsError(gettext(
                                'beauty_pos.msg_points_amount',
                                points=payment.points,
                                amount=lang.currency(
                                    expected, self.currency)))
        if self.amount_to_pay:
            raise CheckoutError(gettext(
                    'beauty_pos.msg_checkout_total_mismatch',
                    sale=self.rec_name,
                    total=lang.currency(self.total, self.currency),
                    paid=lang.currency(self.amount_paid, self.currency)))

    def coupon_items(self):
        "The lines a coupon may apply to: (product, qty, unit price, amount)"
        return [(l.product, l.quantity, l.unit_gross_price or ZERO,
                l.amount or ZERO)
            for l in self.lines
            if l.kind in {'goods', 'service'} and not l.package_line]

    def points_value(self, points):
        pool = Pool()
        Configuration = pool.get('beauty.pos.configuration')
        value = Configuration.get_value(
            'point_value', company=self.company, required=False)
        if value is None:
            value = Decimal('0.01')
        return self.currency.round(Decimal(points or 0) * value)

    @classmethod
    def allocate(cls, sales):
        """Spread the tenders over the lines (see the module docstring) and
        store the paid parts and performance figures on each line"""
        pool = Pool()
        Line = pool.get('sale.point.sale.line')
        to_save = []
        for sale in sales:
            currency = sale.currency
            lines = list(sale.lines)
            remaining = {l.id: l.amount or ZERO for l in lines}
            parts = {l.id: defaultdict(Decimal) for l in lines}
            groups = defaultdict(list)
            for payment in sale.payments:
                kind = payment.method.kind
                if kind in MONEY_KINDS:
                    kind = 'money'
                groups[kind].append(payment)

            def spread(kind, amount, eligible):
                total = sum((remaining[l.id] for l in eligible), ZERO)
                if not amount:
                    return
                if (amount > 0 and amount > total) or (
                        amount < 0 and amount < total):
                    raise CheckoutError(gettext(
                            'beauty_pos.msg_checkout_tender_too_large',
                            sale=sale.rec_name,
                            tender=dict(TENDER_KINDS).get(
                                kind, kind) if kind != 'money' else '',
                            amount=amount, eligible=total))
                left = amount
                for i, line in enumerate(eligible):
                    if i == len(eligible) - 1:
                        part = left
                    elif total:
                        part = currency.round(
                            amount * remaining[line.id] / total)
                    else:
                        part = ZERO
                    parts[line.id][kind] += part
                    remaining[line.id] -= part
                    left -= part

            for payment in groups['package']:
                line = payment.sale_line
                parts[line.id]['package'] += payment.amount
                remaining[line.id] -= payment.amount
            coupon_total = sum(
                (p.amount for p in groups['coupon']), ZERO)
            if coupon_total:
                template = groups['coupon'][0].coupon.template
                spread('coupon', coupon_total, [
                        l for l in lines
                        if l.kind in {'goods', 'service'}
                        and not l.package_line
                        and template.eligible(l.product)])
            member_lines = [
                l for l in lines
                if l.kind != 'topup' and not l.package_line]
            for kind in ['card', 'points']:
                spread(kind, sum(
                        (p.amount for p in groups[kind]), ZERO),
                    member_lines)
            spread('money', sum(
                    (p.amount for p in groups['money']), ZERO),
                [l for l in lines if not l.package_line])
            for line in lines:
                # every figure with the currency's digits, 0.00 included
                part = {k: currency.round(v) for k, v in parts[line.id].items()}
                part = defaultdict(lambda: currency.round(ZERO), part)
                line.paid_money = part['money']
                line.paid_card = part['card']
                line.paid_package = part['package']
                line.paid_coupon = part['coupon']
                line.paid_points = part['points']
                line.cash_performance = part['money']
                if line.kind in {'goods', 'service'}:
                    line.consumption_performance = (
                        part['money'] + part['card'] + part['package'])
                else:
                    line.consumption_performance = currency.round(ZERO)
                to_save.append(line)
        Line.save(to_save)

    @classmethod
    def _apply_tenders(cls, sales):
        pool = Pool()
        Card = pool.get('beauty.member.card')
        PackageLine = pool.get('beauty.package.line')
        Package = pool.get('beauty.package')
        Coupon = pool.get('beauty.coupon')
        Points = pool.get('beauty.points.line')
        Confirmation = pool.get('beauty.pos.confirmation')
        Party = pool.get('party.party')
        Commission = pool.get('beauty.commission')
        Line = pool.get('sale.point.sale.line')
        Rule = pool.get('beauty.member.topup.rule')

        card_movements, takes, points = [], [], []
        # a new card for top-ups without one
        new_cards = {}
        topup_lines = [l for s in sales for l in s.lines
            if l.kind == 'topup' and not l.card]
        for line in topup_lines:
            sale = line.sale
            key = (sale.customer.id, sale.company.id)
            if key not in new_cards:
                new_cards[key] = Card(
                    customer=sale.customer, company=sale.company,
                    open_date=sale.date)
            line.card = new_cards[key]
        if new_cards:
            Card.save(list(new_cards.values()))
            Line.save(topup_lines)
            sales = cls.browse([s.id for s in sales])
        for sale in sales:
            confirmation = None
            package_payments = [
                p for p in sale.payments if p.method.kind == 'package']
            if package_payments and not sale.signature_id:
                confirmation = Confirmation.verify(
                    sale.customer, sale.confirmation_code, sale=sale)
                if confirmation is None:
                    raise PackageError(gettext(
                            'beauty_pos.msg_package_confirmation',
                            sale=sale.rec_name))
            for payment in sale.payments:
                kind = payment.method.kind
                if kind == 'card':
                    card_movements.append({
                            'card': payment.card, 'type': 'spend',
                            'amount': payment.amount, 'date': sale.date,
                            'sale': sale.id, 'payment': payment.id,
                            })
                elif kind == 'package':
                    line = payment.sale_line
                    takes.append({
                            'line': line.package_line,
                            'quantity': int(line.quantity),
                            'type': 'use', 'date': sale.date,
                            'sale': sale.id, 'sale_line': line.id,
                            'payment': payment.id,
                            'beautician': line.main_employee,
                            'signature': sale.signature,
                            'confirmation': confirmation,
                            'expected': payment.amount,
                            })
                elif kind == 'coupon':
                    Coupon.redeem(payment.coupon, sale, sale.date)
                elif kind == 'points':
                    points.append({
                            'customer': sale.customer, 'company': sale.company,
                            'date': sale.date, 'type': 'redeem',
                            'points': -payment.points, 'sale': sale.id,
                            })
            for line in sale.lines:
                if line.kind == 'topup':
                    card_movements.append({
                            'card': line.card, 'type': 'topup',
                            'principal': line.amount,
                            'bonus': line.bonus or ZERO,
                            'date': sale.date, 'sale': sale.id,
                            'sale_line': line.id,
                            })
            earned = sale.points_to_earn()
            if earned:
                points.append({
                        'customer': sale.customer, 'company': sale.company,
                        'date': sale.date, 'type': 'earn', 'points': earned,
                        'sale': sale.id,
                        })
            sale.points_earned = earned
        if card_movements:
            Card.post_movements(card_movements)
        if takes:
            expected = [t.pop('expected') for t in takes]
            for take in takes:
                if take['beautician'] is None:
                    del take['beautician']
                if take['confirmation'] is None:
                    del take['confirmation']
                if take['signature'] is None:
                    del take['signature']
            expected = {t['payment']: a for t, a in zip(takes, expected)}
            uses = PackageLine.take(takes)
            for use in uses:
                if use.value != expected[use.payment.id]:
                    raise PackageError(gettext(
                            'beauty_pos.msg_package_value_changed',
                            line=use.line.rec_name))
        if points:
            Points.post(points)
        package_lines = [l for s in sales for l in s.lines
            if l.kind == 'package']
        if package_lines:
            Package.sell(package_lines)
        cls.save(sales)
        Commission.compute_for_sales(sales)

    def points_to_earn(self):
        """Points earned: the customer's level rate times what she paid
        with money or card balance for services, products and packages
        (not for top-ups: the card earns points when spent)"""
        pool = Pool()
        Level = pool.get('beauty.member.level')
        if not self.customer:
            return 0
        # a new customer earns at the rate of the entry level
        level = self.customer.member_level or Level.level_for(ZERO)
        if not level:
            return 0
        rate = level.points_rate or ZERO
        base = sum(
            ((l.paid_money or ZERO) + (l.paid_card or ZERO)
                for l in self.lines if l.kind != 'topup'), ZERO)
        if base <= 0:
            return 0
        return int(math.floor(base * rate))

    @classmethod
    def _apply_returns(cls, sales):
        "Give back what the returned lines took: card, sessions, coupon, points"
        pool = Pool()
        Card = pool.get('beauty.member.card')
        CardLine = pool.get('beauty.member.card.line')
        PackageLine = pool.get('beauty.package.line')
        PackageUse = pool.get('beauty.package.use')
        Coupon = pool.get('beauty.coupon')
        Points = pool.get('beauty.points.line')
        Commission = pool.get('beauty.commission')
        card_movements, takes, points = [], [], []
        for sale in sales:
            original = sale.returned_sale
            for payment in sale.payments:
                kind = payment.method.kind
                source = payment.returned_payment
                if kind in MEMBER_KINDS and not source:
                    raise ReturnError(gettext(
                            'beauty_pos.msg_return_payment_source',
                            payment=payment.rec_name))
                if kind == 'card':
                    spend, = CardLine.search([
                            ('payment', '=', source.id),
                            ('type', '=', 'spend'),
                            ])
                    amount = -payment.amount
                    total = -(spend.principal_amount + spend.bonus_amount)
                    principal = sale.currency.round(
                        amount * -spend.principal_amount / total)
                    card_movements.append({
                            'card': payment.card, 'type': 'return',
                            'principal': principal,
                            'bonus': amount - principal,
                            'date': sale.date, 'sale': sale.id,
                            'payment': payment.id,
                            })
                elif kind == 'package':
                    use, = PackageUse.search([
                            ('payment', '=', source.id),
                            ('type', '=', 'use'),
                            ])
                    line = payment.sale_line
                    takes.append({
                            'line': use.line,
                            'quantity': int(line.quantity),
                            'value': payment.amount,
                            'type': 'return', 'date': sale.date,
                            'sale': sale.id, 'sale_line': line.id,
                            'payment': payment.id,
                            })
                elif kind == 'coupon':
                    # restored below, once the whole sale is returned
                    pass
                elif kind == 'points':
                    points.append({
                            'customer': original.customer,
                            'company': sale.company, 'date': sale.date,
                            'type': 'return', 'points': payment.points,
                            'sale': sale.id,
                            })
            # the code is given back when the whole sale is returned, even
            # if this last return gave back no part of the coupon
            if all(l.quantity - l.returned_quantity() <= 0
                    for l in original.lines):
                for payment in original.payments:
                    if payment.method.kind == 'coupon' and payment.coupon:
                        Coupon.restore(payment.coupon, original)
            if original.points_earned and original.customer:
                share = cls.returned_share(sale)
                clawback = int(math.ceil(original.points_earned * share))
                balance = original.customer.points_balance or 0
                for entry in points:
                    if entry['customer'] == original.customer:
                        balance += entry['points']
                clawback = min(clawback, balance)
                if clawback:
                    points.append({
                            'customer': original.customer,
                            'company': sale.company, 'date': sale.date,
                            'type': 'return', 'points': -clawback,
                            'sale': sale.id,
                            })
                    sale.points_earned = -clawback
        if card_movements:
            Card.post_movements(card_movements)
        if takes:
            PackageLine.take(takes)
        if points:
            Points.post(points)
        cls.save(sales)
        Commission.clawback_returns(sales)

    @classmethod
    def returned_share(cls, sale):
        "The share of the original sale's total that this return gives back"
        original = sale.returned_sale
        if not original.total:
            return ZERO
        return min(abs(sale.total) / abs(original.total), Decimal(1))

    @classmethod
    def make_return(cls, sale, quantities, method, date=None):
        """Create and process the return of quantities ({line: quantity}) of
        the sale; every tender is given back in the share it paid the returned
        lines, the money part by method. Return the return sale."""
        pool = Pool()
        Line = pool.get('sale.point.sale.line')
        Payment = pool.get('sale.point.payment')
        Employee = pool.get('sale.point.sale.line.employee')
        Date = pool.get('ir.date')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        if sale.state not in {'done', 'posted'} or sale.returned_sale:
            raise ReturnError(gettext(
                    'beauty_pos.msg_return_state', sale=sale.rec_name))
        cls.lock([sale])
        if not quantities:
            raise ReturnError(gettext(
                    'beauty_pos.msg_return_nothing', sale=sale.rec_name))
        if method.kind not in MONEY_KINDS:
            raise ReturnError(gettext(
                    'beauty_pos.msg_refund_method_money',
                    method=method.rec_name))
        currency = sale.currency
        with Transaction().set_context(company=sale.company.id):
            date = date or Date.today()
        ret = cls(point=sale.point, company=sale.company,
            customer=sale.customer, date=date, returned_sale=sale,
            employee=sale.employee)
        ret.save()
        new_lines, shares = [], {}
        for line, quantity in quantities.items():
            line = Line(int(line))
            if line.sale != sale:
                raise ReturnError(gettext(
                        'beauty_pos.msg_return_line_other', line=line.rec_name))
            returnable = line.quantity - line.returned_quantity()
            if quantity <= 0 or quantity > returnable:
                raise ReturnError(gettext(
                        'beauty_pos.msg_return_beyond_sold',
                        line=line.rec_name, quantity=quantity,
                        returnable=returnable))
            if line.kind == 'topup':
                raise ReturnError(gettext(
                        'beauty_pos.msg_return_topup', line=line.rec_name))
            if line.kind == 'package':
                raise ReturnError(gettext(
                        'beauty_pos.msg_return_package', line=line.rec_name))
            if line.package_line and quantity != int(quantity):
                raise AmountError(gettext(
                        'beauty_pos.msg_package_quantity_whole',
                        line=line.rec_name))
            new = Line(sale=ret, product=line.product, quantity=-quantity,
                unit_list_price=line.unit_list_price,
                unit_gross_price=line.unit_gross_price, kind=line.kind,
                returned_line=line, package_line=line.package_line,
                base_price=line.base_price, discount=line.discount,
                employees=[Employee(employee=e.employee, share=e.share)
                    for e in line.employees])
            new_lines.append(new)
            shares[line] = Decimal(str(quantity)) / Decimal(str(line.quantity))
        Line.save(new_lines)

        def part(name):
            return {l: currency.round(getattr(l, name) * s)
                for l, s in shares.items()}
        payments = []
        # card: credited back to the cards in the reverse order they paid
        # (the last card used first), each up to what it paid less what
        # earlier returns gave back: no cents split over several cards
        card_total = sum(part('paid_card').values(), ZERO)
        card_payments = [p for p in sale.payments if p.method.kind == 'card']
        if card_total:
            returned = defaultdict(Decimal)
            for other in cls.search([
                        ('returned_sale', '=', sale.id),
                        ('id', '!=', ret.id),
                        ('state', '!=', 'cancelled'),
                        ]):
                for p in other.payments:
                    if p.returned_payment:
                        returned[p.returned_payment.id] -= p.amount
            left = card_total
            for payment in reversed(card_payments):
                amount = min(left, payment.amount - returned[payment.id])
                if amount <= 0:
                    continue
                left -= amount
                payments.append(Payment(
                        sale=ret, method=payment.method, card=payment.card,
                        amount=-amount, returned_payment=payment))
                if not left:
                    break
        for line, new in zip(shares, new_lines):
            if line.package_line:
                source, = [p for p in sale.payments
                    if p.method.kind == 'package' and p.sale_line == line]
                amount = currency.round(line.paid_package * shares[line])
                payments.append(Payment(
                        sale=ret, method=source.method, sale_line=new,
                        package_line=line.package_line, amount=-amount,
                        returned_payment=source))
        coupon_total = sum(part('paid_coupon').values(), ZERO)
        if coupon_total:
            source, = [p for p in sale.payments if p.method.kind == 'coupon']
            payments.append(Payment(
                    sale=ret, method=source.method, coupon=source.coupon,
                    amount=-coupon_total, returned_payment=source))
        points_total = sum(part('paid_points').values(), ZERO)
        if points_total:
            source, = [p for p in sale.payments if p.method.kind == 'points']
            points = int(round(source.points * points_total / source.amount))
            if points:
                payments.append(Payment(
                        sale=ret, method=source.method, points=points,
                        amount=-sale.points_value(points),
                        returned_payment=source))
        Payment.save(payments)
        ret = cls(ret.id)
        money = ret.total - sum((p.amount for p in payments), ZERO)
        paid_money = -sum(part('paid_money').values(), ZERO)
        if money < paid_money - Decimal('0.05') or money > 0:
            raise ReturnError(gettext(
                    'beauty_pos.msg_return_beyond_paid',
                    sale=sale.rec_name,
                    amount=lang.currency(-money, currency),
                    paid=lang.currency(-paid_money, currency)))
        if money:
            Payment(sale=ret, method=method, amount=money).save()
        cls.do([cls(ret.id)])
        return cls(ret.id)

    @classmethod
    @ModelView.button_action('beauty_pos.wizard_sale_return')
    def return_(cls, sales):
        pass

    # --- accounting ------------------------------------------------------

    def get_account_move(self):
        "The bonus of the top-ups is credited to the card liability too"
        move = super().get_account_move()
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        bonus = sum(
            (l.bonus or ZERO for l in self.lines if l.kind == 'topup'), ZERO)
        if bonus:
            debit = MoveLine(
                account=config_account('bonus_account', self.company),
                debit=bonus, credit=ZERO)
            credit = MoveLine(
                account=config_account('prepaid_account', self.company),
                debit=ZERO, credit=bonus)
            move.lines = list(move.lines) + [debit, credit]
        return move

    # --- top-up from the card --------------------------------------------

    @classmethod
    def topup_card(cls, card, point, amount, bonus, method):
        """Sell a top-up of the card at the point of sale and process it;
        return the sale. Only a manager may give another bonus than the
        rules'."""
        pool = Pool()
        Line = pool.get('sale.point.sale.line')
        Payment = pool.get('sale.point.payment')
        Rule = pool.get('beauty.member.topup.rule')
        Configuration = pool.get('beauty.pos.configuration')
        Date = pool.get('ir.date')
        from .card import is_manager
        if amount is None or amount <= 0:
            raise AmountError(gettext(
                    'beauty_pos.msg_topup_amount_positive',
                    line=card.rec_name))
        with Transaction().set_context(company=card.company.id):
            today = Date.today()
        rule_bonus = Rule.bonus_for(
            card.company, amount, today, card.customer.member_level)
        if bonus is None:
            bonus = rule_bonus
        if bonus != rule_bonus and not is_manager():
            raise CheckoutError(gettext(
                    'beauty_pos.msg_topup_bonus_manager',
                    bonus=bonus, rule=rule_bonus))
        product = Configuration.get_value(
            'topup_product', company=card.company)
        sale = cls(point=point, company=card.company, customer=card.customer,
            date=today)
        sale.save()
        line = Line(sale=sale, product=product, quantity=1, card=card,
            unit_list_price=amount, unit_gross_price=amount,
            topup_amount=amount, bonus=bonus, kind='topup')
        line.save()
        Payment(sale=sale, method=method, amount=amount).save()
        cls.do([sale])
        return sale


class POSSaleLine(metaclass=PoolMeta):
    __name__ = 'sale.point.sale.line'

    kind = fields.Selection(
        LINE_KINDS, "Kind", readonly=True,
        help="Set from the product: a service, a product, a card top-up "
        "or a package sold.")
    card = fields.Many2One(
        'beauty.member.card', "Card", ondelete='RESTRICT',
        domain=[
            ('customer', '=', Eval('customer', -1)),
            ('company', '=', Eval('company', -1)),
            ('state', '=', 'active'),
            ],
        states={
            'invisible': Eval('kind') != 'topup',
            'readonly': Eval('sale_state') != 'open',
            },
        help="The card topped up (empty: a new card is opened).")
    topup_amount = Monetary(
        "Top-up Amount", currency='currency', digits='currency',
        states={
            'invisible': Eval('kind') != 'topup',
            'required': Eval('kind') == 'topup',
            'readonly': Eval('sale_state') != 'open',
            })
    bonus = Monetary(
        "Bonus", currency='currency', digits='currency',
        states={
            'invisible': Eval('kind') != 'topup',
            'readonly': True,
            },
        help="Credited with the top-up, from the top-up rules.")
    package_line = fields.Many2One(
        'beauty.package.line', "Package Session", ondelete='RESTRICT',
        domain=[
            ('package.customer', '=', Eval('customer', -1)),
            ('service', '=', Eval('product', -1)),
            If(Eval('sale_state') == 'open',
                [('package.state', '=', 'active'),
                    ('remaining', '>', 0)],
                []),
            ],
        states={
            'invisible': Eval('kind') != 'service',
            'readonly': Eval('sale_state') != 'open',
            },
        help="Pay this service with a session of the customer's package.")
    price = fields.Function(Monetary(
            "Unit Price", currency='currency', digits='currency',
            help="The price of one unit as the customer reads it, to the "
            "fen (the unit prices are kept to 4 decimals).",
            # the client keeps them for the sale's totals, as upstream's
            # unit price does
            depends={'unit_list_price', 'unit_gross_price'}),
        'on_change_with_price')
    employees = fields.One2Many(
        'sale.point.sale.line.employee', 'line', "Staff",
        states={
            'readonly': Eval('sale_state') != 'open',
            },
        help="Who performed or sold this line and their share of it "
        "(shares add up to 100%).")
    returned_line = fields.Many2One(
        'sale.point.sale.line', "Returned Line", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': ~Eval('returned_line'),
            })
    base_price = fields.Numeric(
        "Price before Discount", digits=(16, 4), readonly=True)
    discount = fields.Numeric(
        "Member Discount", digits=(16, 4), readonly=True)
    paid_money = Monetary(
        "Paid by Money", currency='currency', digits='currency',
        readonly=True)
    paid_card = Monetary(
        "Paid by Card", currency='currency', digits='currency',
        readonly=True)
    paid_package = Monetary(
        "Paid by Package", currency='currency', digits='currency',
        readonly=True)
    paid_coupon = Monetary(
        "Paid by Coupon", currency='currency', digits='currency',
        readonly=True)
    paid_points = Monetary(
        "Paid by Points", currency='currency', digits='currency',
        readonly=True)
    cash_performance = Monetary(
        "Cash Performance", currency='currency', digits='currency',
        readonly=True,
        help="现金业绩: the part of the line paid with money.")
    consumption_performance = Monetary(
        "Consumption Performance", currency='currency', digits='currency',
        readonly=True,
        help="实耗业绩: what was consumed, at the price paid (money, card "
        "balance and package sessions; coupons and points are discounts).")
    customer = fields.Function(fields.Many2One(
            'party.party', "Customer"), 'on_change_with_customer')

    @property
    def to_location(self):
        # sale_point documents that an empty return location means the
        # storage location, but leaves the move without a destination
        location = super().to_location
        if location is None and self.quantity < 0:
            location = self.sale.point.storage_location
        return location

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.returned_line, Index.Range()),
                    where=t.returned_line != Null),
                Index(t, (t.package_line, Index.Range()),
                    where=t.package_line != Null),
                })

    @staticmethod
    def default_kind():
        return 'goods'

    @staticmethod
    def default_quantity():
        return 1

    @fields.depends('currency', methods=['on_change_with_unit_price'])
    def on_change_with_price(self, name=None):
        price = self.on_change_with_unit_price()
        if price is not None and self.currency:
            price = self.currency.round(price)
        return price

    @fields.depends('sale', '_parent_sale.customer')
    def on_change_with_customer(self, name=None):
        if self.sale and self.sale.customer:
            return self.sale.customer

    @property
    def main_employee(self):
        "The employee with the largest share (the beautician of a service)"
        if self.employees:
            return max(self.employees, key=lambda e: (e.share or 0, -e.id
                    if e.id else 0)).employee
        return None

    def _get_kind(self, package_products=None):
        """The kind of the line from its product; package_products: the ids
        of the products of package templates among those of the lines (the
        caller searched them once for all its lines)"""
        pool = Pool()
        Configuration = pool.get('beauty.pos.configuration')
        Template = pool.get('beauty.package.template')
        if not self.product:
            return 'goods'
        company = self.sale.company if self.sale else None
        if company:
            topup = Configuration.get_value(
                'topup_product', company=company, required=False)
            if topup and topup == self.product:
                return 'topup'
        if package_products is not None:
            if self.product.id in package_products:
                return 'package'
        elif Template.search([('product', '=', self.product.id)], limit=1):
            return 'package'
        return 'service' if self.product.type == 'service' else 'goods'

    @property
    def taxes(self):
        if getattr(self, 'kind', None) in {'topup', 'package'}:
            return []
        return super().taxes

    def _set_gross_price(self, gross):
        pool = Pool()
        Tax = pool.get('account.tax')
        self.unit_gross_price = round_price(gross)
        date = self.sale.date if self.sale else None
        self.unit_list_price = round_price(Tax.reverse_compute(
                self.unit_gross_price, self.taxes, date=date))

    @fields.depends(
        'product', 'sale', '_parent_sale.customer', '_parent_sale.company',
        '_parent_sale.date', '_parent_sale.point', 'topup_amount',
        'package_line', 'quantity', 'kind', 'card', 'bonus',
        methods=['on_change_with_unit_price', 'on_change_with_amount',
            'on_change_with_price'])
    def on_change_product(self):
        pool = Pool()
        Template = pool.get('beauty.package.template')
        super().on_change_product()
        self.kind = self._get_kind()
        self.base_price = self.unit_gross_price
        self.discount = None
        if self.package_line and (
                not self.product or self.package_line.service != self.product):
            self.package_line = None
        if self.kind == 'topup':
            self.quantity = 1
            self._set_gross_price(self.topup_amount or ZERO)
            self._set_bonus()
        elif self.kind == 'package':
            template, = Template.search([('product', '=', self.product.id)])
            self._set_gross_price(template.price)
            self.base_price = self.unit_gross_price
        elif self.package_line:
            quantity = int(self.quantity or 1)
            self._set_gross_price(
                self.package_line.session_value(quantity) / quantity)
        elif (self.product and self.sale and self.sale.customer
                and self.sale.customer.member_level
                and self.unit_gross_price is not None):
            discount = self.sale.customer.member_level.discount or ZERO
            if discount:
                self.discount = discount
                self._set_gross_price(
                    self.unit_gross_price * (1 - discount))
        self.unit_price = self.on_change_with_unit_price()
        self.price = self.on_change_with_price()
        self.amount = self.on_change_with_amount()

    def _set_bonus(self):
        pool = Pool()
        Rule = pool.get('beauty.member.topup.rule')
        if self.sale and self.sale.company and self.topup_amount:
            customer = self.sale.customer
            self.bonus = Rule.bonus_for(
                self.sale.company, self.topup_amount, self.sale.date,
                customer.member_level if customer else None)
        else:
            self.bonus = ZERO

    @fields.depends(methods=['on_change_product'])
    def on_change_topup_amount(self):
        self.on_change_product()

    @fields.depends(methods=['on_change_product'])
    def on_change_package_line(self):
        self.on_change_product()

    @fields.depends('package_line', 'kind', methods=['on_change_product'])
    def on_change_quantity(self):
        if self.package_line or self.kind == 'topup':
            self.on_change_product()

    @classmethod
    def on_modification(cls, mode, lines, field_names=None):
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Template = pool.get('beauty.package.template')
        super().on_modification(mode, lines, field_names=field_names)
        if mode == 'create' or (
                mode == 'write' and 'product' in field_names):
            to_write = []
            products = {l.product.id for l in lines if l.product}
            package_products = {t.product.id for t in Template.search([
                        ('product', 'in', sorted(products)),
                        ])} if products else set()
            for line in lines:
                kind = line._get_kind(package_products)
                if line.kind != kind:
                    to_write.extend(([line], {'kind': kind}))
            if to_write:
                cls.write(*to_write)
        if Transaction().context.get('_beauty_pos_no_payment_sync'):
            # the caller syncs the payments of the sales once, at its end
            return
        if mode == 'create' or (mode == 'write' and field_names & {
                    'package_line', 'quantity', 'product',
                    'unit_gross_price', 'unit_list_price'}):
            sales = {l.sale for l in lines
                if l.sale.state == 'open' and (
                    l.package_line or mode == 'write')}
            if sales:
                Sale.sync_package_payments(Sale.browse(list(sales)))

    @classmethod
    def on_delete(cls, lines):
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        callback = super().on_delete(lines)
        sales = list({l.sale.id for l in lines})

        def sync():
            Sale.sync_package_payments(Sale.browse(sales))
        return callback + [sync]

    @classmethod
    def copy(cls, lines, default=None):
        default = default.copy() if default else {}
        for name in ['card', 'package_line', 'returned_line', 'paid_money',
                'paid_card', 'paid_package', 'paid_coupon', 'paid_points',
                'cash_performance', 'consumption_performance']:
            default.setdefault(name)
        return super().copy(lines, default=default)

    def get_account_move_lines(self):
        "Top-ups credit the card liability, packages sold the package one"
        if self.kind in {'topup', 'package'}:
            pool = Pool()
            Line = pool.get('account.move.line')
            line = Line()
            if self.quantity >= 0:
                line.debit, line.credit = ZERO, self.untax_amount
            else:
                line.debit, line.credit = -self.untax_amount, ZERO
            line.account = config_account(
                'prepaid_account' if self.kind == 'topup'
                else 'package_account', self.company)
            line.origin = self
            return [line]
        return super().get_account_move_lines()

    def returned_quantity(self):
        "How much of the line was already returned (return sales)"
        pool = Pool()
        Line = pool.get('sale.point.sale.line')
        returned = Line.search([
                ('returned_line', '=', self.id),
                ('sale.state', '!=', 'cancelled'),
                ])
        return -sum(l.quantity for l in returned)


class POSSaleLineEmployee(ModelSQL, ModelView):
    "Share of a sale line by an employee"
    __name__ = 'sale.point.sale.line.employee'
    line = fields.Many2One(
        'sale.point.sale.line', "Line", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='RESTRICT')
    share = fields.Numeric(
        "Share", digits=(16, 4), required=True,
        domain=[('share', '>', 0), ('share', '<=', 1)],
        help="The share of the line credited to the employee "
        "(0.5 = 50%).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('line')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.employee, Index.Range())))

    @staticmethod
    def default_share():
        return Decimal(1)

    @classmethod
    def validate(cls, shares):
        super().validate(shares)
        lines = {s.line for s in shares}
        for line in lines:
            total = sum((s.share for s in line.employees), ZERO)
            if line.employees and total != 1:
                raise CheckoutError(gettext(
                        'beauty_pos.msg_shares_total',
                        line=line.rec_name, total='%s%%' % (total * 100)))


class POSPayment(metaclass=PoolMeta):
    __name__ = 'sale.point.payment'

    kind = fields.Function(fields.Selection(
            TENDER_KINDS, "Kind"), 'on_change_with_kind')
    card = fields.Many2One(
        'beauty.member.card', "Card", ondelete='RESTRICT',
        domain=[
            ('customer', '=', Eval('customer', -1)),
            ('company', '=', Eval('company', -1)),
            If(Eval('sale_state') == 'open',
                ('state', '=', 'active'), ()),
            ],
        states={
            'invisible': Eval('kind') != 'card',
            'required': Eval('kind') == 'card',
            'readonly': Eval('sale_state') != 'open',
            })
    coupon = fields.Many2One(
        'beauty.coupon', "Coupon", ondelete='RESTRICT',
        domain=[
            ('customer', '=', Eval('customer', -1)),
            # a return gives back a coupon that was used
            If((Eval('sale_state') == 'open') & ~Eval('returned_payment'),
                ('state', '=', 'issued'), ()),
            ],
        states={
            'invisible': Eval('kind') != 'coupon',
            'required': Eval('kind') == 'coupon',
            'readonly': Eval('sale_state') != 'open',
            })
    points = fields.Integer(
        "Points",
        domain=[If(Eval('kind') == 'points',
                ('points', '>', 0), ())],
        states={
            'invisible': Eval('kind') != 'points',
            'required': Eval('kind') == 'points',
            'readonly': Eval('sale_state') != 'open',
            })
    package_line = fields.Many2One(
        'beauty.package.line', "Package Session", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': Eval('kind') != 'package',
            })
    sale_line = fields.Many2One(
        'sale.point.sale.line', "Sale Line", readonly=True,
        ondelete='CASCADE',
        states={
            'invisible': ~Eval('sale_line'),
            })
    returned_payment = fields.Many2One(
        'sale.point.payment', "Returned Payment", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': ~Eval('returned_payment'),
            })
    customer = fields.Function(fields.Many2One(
            'party.party', "Customer"), 'on_change_with_customer')
    is_return = fields.Function(
        fields.Boolean("Return"), 'on_change_with_is_return')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the sign of the amount is checked at processing, with a message
        # explaining the rule (only cash gives change, returns are negative)
        cls.method.domain = [
            ('company', '=', Eval('company', -1)),
            If(Eval('kind') != 'package',
                ('kind', '!=', 'package'), ()),
            ]
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.card, Index.Range()), where=t.card != Null),
                Index(t, (t.coupon, Index.Range()), where=t.coupon != Null),
                })

    @fields.depends('method')
    def on_change_with_kind(self, name=None):
        return self.method.kind if self.method else None

    @fields.depends('sale', '_parent_sale.customer')
    def on_change_with_customer(self, name=None):
        if self.sale and self.sale.customer:
            return self.sale.customer

    @fields.depends('sale', '_parent_sale.returned_sale')
    def on_change_with_is_return(self, name=None):
        return bool(self.sale and self.sale.returned_sale)

    def _left_to_pay(self):
        """What is left to pay on the sale without this payment.
        On the sale's form the sale's figure counts this payment already;
        in the Pay wizard the payment is not on the sale yet."""
        to_pay = self.sale.amount_to_pay or ZERO
        values = self.sale._values
        if values is not None and 'amount_to_pay' in values:
            to_pay += self.amount or ZERO
        return to_pay

    @fields.depends('card', 'sale', '_parent_sale.amount_to_pay', 'amount')
    def on_change_card(self):
        if self.card and self.sale:
            self.amount = max(
                min(self._left_to_pay(), self.card.balance), ZERO)

    @fields.depends('points', 'sale', '_parent_sale.company',
        '_parent_sale.currency')
    def on_change_points(self):
        if self.points and self.sale and self.sale.company:
            self.amount = self.sale.points_value(self.points)

    @fields.depends('coupon', 'sale', '_parent_sale.lines')
    def on_change_coupon(self):
        if self.coupon and self.sale:
            self.amount = self.coupon.template.discount_for(
                self.sale.coupon_items())

    def get_rec_name(self, name):
        return '%s %s' % (self.method.rec_name, self.sale.rec_name)

    @classmethod
    def copy(cls, payments, default=None):
        default = default.copy() if default else {}
        default.setdefault('returned_payment')
        return super().copy(payments, default=default)

    @classmethod
    def check_modification(cls, mode, payments, values=None, external=False):
        super().check_modification(
            mode, payments, values=values, external=external)
        if mode == 'write' and external and (
                {'package_line', 'sale_line'} & values.keys()):
            raise AccessError(gettext(
                    'beauty_pos.msg_payment_package_auto'))
        if mode == 'create':
            # a repeated Pay (double click, client retry) of a sale that
            # the first one closed would add a second, uncharged payment
            for payment in payments:
                if payment.sale.state != 'open':
                    raise CheckoutError(gettext(
                            'beauty_pos.msg_payment_sale_closed',
                            sale=payment.sale.rec_name))

    def get_account_move_lines(self):
        lines = super().get_account_move_lines()
        account = self.method.get_account()
        for line in lines:
            line.account = account
        return lines


class POSSaleReturnStart(ModelView):
    "Return of a sale"
    __name__ = 'sale.point.sale.return.start'
    sale = fields.Many2One('sale.point.sale', "Sale", readonly=True)
    lines = fields.One2Many(
        'sale.point.sale.return.line', None, "Lines",
        help="Set the quantity to return on each line (0: kept).")
    method = fields.Many2One(
        'sale.point.payment.method', "Pay Back By", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('kind', 'in', MONEY_KINDS),
            ],
        help="How the money part is paid back.")
    company = fields.Many2One('company.company', "Store", readonly=True)


class POSSaleReturnLine(ModelView):
    "Line to return"
    __name__ = 'sale.point.sale.return.line'
    line = fields.Many2One('sale.point.sale.line', "Line", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True)
    sold = fields.Float("Sold", readonly=True)
    returnable = fields.Float("Returnable", readonly=True)
    quantity = fields.Float(
        "Quantity to Return", required=True,
        domain=[
            ('quantity', '>=', 0),
            ('quantity', '<=', Eval('returnable', 0)),
            ])


class POSSaleReturn(Wizard):
    "Return (part of) a sale: give back card, sessions, coupon, points, money"
    __name__ = 'sale.point.sale.return'
    start = StateView(
        'sale.point.sale.return.start',
        'beauty_pos.sale_return_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Return", 'return_', 'tryton-ok', default=True),
            ])
    return_ = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        Method = pool.get('sale.point.payment.method')
        sale = self.record
        lines = []
        for line in sale.lines:
            returnable = line.quantity - line.returned_quantity()
            lines.append({
                    'line': line.id,
                    'product': line.product.id,
                    'sold': line.quantity,
                    'returnable': returnable,
                    'quantity': returnable,
                    })
        values = {
            'sale': sale.id,
            'company': sale.company.id,
            'lines': lines,
            }
        methods = Method.search([
                ('company', '=', sale.company.id),
                ('kind', '=', 'cash'),
                ], limit=1)
        if methods:
            values['method'] = methods[0].id
        return values

    def transition_return_(self):
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Sale.make_return(
            self.record,
            {l.line: l.quantity for l in self.start.lines if l.quantity},
            self.start.method)
        return 'end'
