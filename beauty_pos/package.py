# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Treatment packages (次卡/疗程卡): sessions sold in advance and used (划扣)."""
import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Null
from sql.aggregate import Sum
from sql.conditionals import Case

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Check, DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow,
    fields)
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import refund as refund_rules
from .accounting import build_move, post_moves
from .card import RULE_NAMES
from .exceptions import (
    AmountError, BalanceError, LedgerAccessError, PackageError, RefundError)
from .ledger import guarded_update, in_, read_for_update, typed
from .refund_record import (
    RefundMixin, RefundStartMixin, refund_start_defaults)

logger = logging.getLogger(__name__)

PACKAGE_STATES = [
    ('active', "Active"),
    ('done', "Used Up"),
    ('expired', "Expired"),
    ('refunded', "Refunded"),
    ]
USE_TYPES = [
    ('use', "Use"),
    ('return', "Return"),
    ('expiry', "Expiry"),
    ('refund', "Refund"),
    ]
CODE_VALIDITY = dt.timedelta(minutes=10)


class PackageTemplate(DeactivableMixin, ModelSQL, ModelView):
    "Treatment package template (疗程卡): services x sessions"
    __name__ = 'beauty.package.template'
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True, translate=True)
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='RESTRICT',
        domain=[('type', '=', 'service')],
        help="The item sold at the checkout for this package.")
    lines = fields.One2Many(
        'beauty.package.template.line', 'template', "Services")
    price = Monetary(
        "Price", currency='currency', digits='currency', required=True,
        domain=[('price', '>', 0)])
    validity_months = fields.Integer(
        "Validity (Months)", required=True,
        domain=[('validity_months', '>', 0)],
        help="The package expires this many months after the sale.")
    value = fields.Function(Monetary(
            "Value", currency='currency', digits='currency',
            help="The sessions at their single prices."),
        'on_change_with_value')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('product_unique', Unique(t, t.product),
                'beauty_pos.msg_package_template_product_unique'),
            ]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_validity_months():
        return 12

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('lines', 'company')
    def on_change_with_value(self, name=None):
        value = sum(
            ((l.unit_price or 0) * (l.sessions or 0) for l in self.lines),
            Decimal(0))
        if self.company:
            value = self.company.currency.round(value)
        return value

    @classmethod
    def validate_fields(cls, templates, field_names):
        super().validate_fields(templates, field_names)
        for template in templates:
            if not template.lines:
                raise PackageError(gettext(
                        'beauty_pos.msg_package_template_no_line',
                        template=template.rec_name))

    @classmethod
    def by_product(cls, products):
        templates = cls.search([
                ('product', 'in', [int(p) for p in products]),
                ])
        return {t.product.id: t for t in templates}


class PackageTemplateLine(ModelSQL, ModelView):
    "Service of a package template"
    __name__ = 'beauty.package.template.line'
    template = fields.Many2One(
        'beauty.package.template', "Template", required=True,
        ondelete='CASCADE')
    service = fields.Many2One(
        'product.product', "Service", required=True, ondelete='RESTRICT',
        domain=[('type', '=', 'service')])
    sessions = fields.Integer(
        "Sessions", required=True, domain=[('sessions', '>', 0)])
    unit_price = Monetary(
        "Single Price", currency='currency', digits='currency',
        required=True, domain=[('unit_price', '>=', 0)],
        help="The price of one session bought on its own.")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('template')

    @staticmethod
    def default_sessions():
        return 1

    @fields.depends('template', '_parent_template.company')
    def on_change_with_currency(self, name=None):
        if self.template and self.template.company:
            return self.template.company.currency

    @fields.depends('service')
    def on_change_service(self):
        if self.service:
            price = self.service.gross_price_used
            if price is None:
                price = self.service.list_price_used
            self.unit_price = price


class Package(Workflow, ModelSQL, ModelView):
    "Treatment package sold to a customer"
    __name__ = 'beauty.package'
    _rec_name = 'number'
    number = fields.Char("Number", readonly=True)
    customer = fields.Many2One(
        'party.party', "Customer", required=True, readonly=True,
        ondelete='RESTRICT')
    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True,
        ondelete='RESTRICT')
    template = fields.Many2One(
        'beauty.package.template', "Template", required=True, readonly=True,
        ondelete='RESTRICT')
    sale = fields.Many2One(
        'sale.point.sale', "Sale", readonly=True, ondelete='RESTRICT')
    sale_line = fields.Many2One(
        'sale.point.sale.line', "Sale Line", readonly=True,
        ondelete='RESTRICT')
    purchase_date = fields.Date("Purchase Date", required=True, readonly=True)
    expiry_date = fields.Date(
        "Expiry Date", required=True,
        states={
            'readonly': Eval('state') != 'active',
            },
        help="The sessions left after this day expire.")
    price = Monetary(
        "Price Paid", currency='currency', digits='currency', required=True,
        readonly=True)
    value = Monetary(
        "Value", currency='currency', digits='currency', required=True,
        readonly=True, help="The sessions at their single prices.")
    state = fields.Selection(
        PACKAGE_STATES, "State", required=True, readonly=True, sort=False)
    lines = fields.One2Many(
        'beauty.package.line', 'package', "Sessions", readonly=True)
    uses = fields.One2Many(
        'beauty.package.use', 'package', "Uses", readonly=True,
        order=[('id', 'DESC')])
    sessions_remaining = fields.Function(fields.Integer(
            "Sessions Remaining"), 'get_remaining')
    value_remaining = fields.Function(Monetary(
            "Value Remaining", currency='currency', digits='currency',
            help="The paid value of the sessions left (the liability)."),
        'get_remaining')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        cls.number.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._order = [('purchase_date', 'DESC'), ('id', 'DESC')]
        cls._sql_constraints += [
            ('number_unique', Unique(t, t.company, t.number),
                'beauty_pos.msg_package_number_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.customer, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.expiry_date, Index.Range()),
                    where=t.state == 'active'),
                })
        cls._transitions |= {
            ('active', 'done'),
            ('done', 'active'),
            ('active', 'expired'),
            ('active', 'refunded'),
            ('done', 'refunded'),
            ('expired', 'refunded'),
            }
        cls._buttons.update({
                'refund': {
                    'invisible': Eval('state') == 'refunded',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'active'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_rec_name(self, name):
        return '%s %s' % (self.number or '', self.template.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('number', *clause[1:]),
            ('template.name', *clause[1:]),
            ('customer.rec_name', *clause[1:]),
            ]

    @classmethod
    def get_remaining(cls, packages, names):
        pool = Pool()
        Line = pool.get('beauty.package.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        result = {n: defaultdict(lambda: 0) for n in names}
        query = line.select(
            line.package, Sum(line.remaining), Sum(line.value_remaining),
            where=in_(line.package, [p.id for p in packages]),
            group_by=[line.package])
        cursor.execute(*typed(query, [None, 'INTEGER', 'NUMERIC']))
        for package_id, sessions, value in cursor:
            if 'sessions_remaining' in names:
                result['sessions_remaining'][package_id] = sessions or 0
            if 'value_remaining' in names:
                result['value_remaining'][package_id] = (
                    value or Decimal(0))
        for package in packages:
            if 'value_remaining' in names:
                result['value_remaining'][package.id] = (
                    package.company.currency.round(
                        result['value_remaining'][package.id]
                        or Decimal(0)))
        return {n: {p.id: result[n][p.id] for p in packages}
            for n in names}

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('beauty.pos.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            company = values['company']
            sequence = Configuration.get_value(
                'package_sequence', company=company)
            with Transaction().set_context(company=company):
                values['number'] = sequence.get()
        return values

    @classmethod
    def check_modification(cls, mode, packages, values=None, external=False):
        super().check_modification(
            mode, packages, values=values, external=external)
        if mode == 'delete':
            raise LedgerAccessError(gettext(
                    'beauty_pos.msg_ledger_append_only',
                    ledger=cls.__names__()['model']))

    @classmethod
    def sell(cls, sale_lines):
        """Create the packages sold by these sale lines (one per unit) with
        the paid value of each session (what is recognised when used)."""
        pool = Pool()
        Template = pool.get('beauty.package.template')
        templates = Template.by_product([l.product for l in sale_lines])
        to_create = []
        for line in sale_lines:
            template = templates[line.product.id]
            sale = line.sale
            currency = sale.company.currency
            quantity = int(line.quantity)
            price = currency.round(line.amount / quantity)
            value = template.value
            for _ in range(quantity):
                to_create.append({
                        'customer': sale.customer.id,
                        'company': sale.company.id,
                        'template': template.id,
                        'sale': sale.id,
                        'sale_line': line.id,
                        'purchase_date': sale.date,
                        'expiry_date': sale.date + relativedelta(
                            months=template.validity_months),
                        'price': price,
                        'value': value,
                        'lines': [('create', cls._line_values(
                                        template, price, currency))],
                        })
        return cls.create(to_create)

    @classmethod
    def _line_values(cls, template, price, currency):
        "Spread the price paid over the lines, exactly, by single prices"
        lines = list(template.lines)
        value = sum((l.unit_price * l.sessions for l in lines), Decimal(0))
        result, allocated = [], Decimal(0)
        for i, tline in enumerate(lines):
            if i == len(lines) - 1:
                line_value = price - allocated
            elif value:
                line_value = currency.round(
                    price * tline.unit_price * tline.sessions / value)
            else:
                total = sum(l.sessions for l in lines)
                line_value = currency.round(price * tline.sessions / total)
            allocated += line_value
            result.append({
                    'service': tline.service.id,
                    'sessions': tline.sessions,
                    'remaining': tline.sessions,
                    'unit_price': tline.unit_price,
                    'line_value': line_value,
                    'value_remaining': line_value,
                    'unit_value': currency.round(
                        line_value / tline.sessions),
                    })
        return result

    def check_usable(self, date):
        if self.state != 'active':
            raise PackageError(gettext(
                    'beauty_pos.msg_package_not_active',
                    package=self.rec_name,
                    state=dict(PACKAGE_STATES)[self.state]))
        if date > self.expiry_date:
            raise PackageError(gettext(
                    'beauty_pos.msg_package_expired',
                    package=self.rec_name, date=self.expiry_date))

    @classmethod
    @ModelView.button_action('beauty_pos.wizard_package_refund')
    def refund(cls, packages):
        pass

    @classmethod
    def expire(cls, date=None):
        """Expire the active packages whose expiry date has passed: their
        remaining sessions are written off (expiry lines) and their paid
        value leaves the liability for the forfeited balances."""
        pool = Pool()
        Date = pool.get('ir.date')
        Line = pool.get('beauty.package.line')
        Configuration = pool.get('beauty.pos.configuration')
        if date is None:
            date = Date.today()
        packages = cls.search([
                ('state', '=', 'active'),
                ('expiry_date', '<', date),
                ])
        if not packages:
            return []
        entries = []
        for package in packages:
            for line in package.lines:
                if line.remaining:
                    entries.append({
                            'line': line, 'quantity': line.remaining,
                            'type': 'expiry', 'date': date,
                            })
        uses = Line.take(entries)
        by_package = defaultdict(Decimal)
        for use in uses:
            by_package[use.package] += use.value
        moves = []
        for package, value in by_package.items():
            company = package.company
            with Transaction().set_context(company=company.id):
                moves.append(build_move(company, date, [
                            (Configuration.get_value(
                                    'package_account', company=company),
                                value),
                            (Configuration.get_value(
                                    'breakage_account', company=company),
                                -value),
                            ], origin=package,
                        description=gettext(
                            'beauty_pos.msg_move_package_expiry',
                            package=package.number)))
        post_moves(moves)
        cls.write(packages, {'state': 'expired'})
        return packages

    @classmethod
    def cron_expire(cls):
        pool = Pool()
        Company = pool.get('company.company')
        for company in Company.search([]):
            with Transaction().set_context(company=company.id):
                cls.expire()


class PackageLine(ModelSQL, ModelView):
    "Sessions of a service in a package"
    __name__ = 'beauty.package.line'
    package = fields.Many2One(
        'beauty.package', "Package", required=True, ondelete='CASCADE',
        readonly=True)
    service = fields.Many2One(
        'product.product', "Service", required=True, readonly=True,
        ondelete='RESTRICT')
    sessions = fields.Integer("Sessions", required=True, readonly=True)
    remaining = fields.Integer(
        "Remaining", required=True, readonly=True,
        help="Sessions left, kept by the use ledger.")
    used = fields.Function(fields.Integer("Used"), 'get_used')
    unit_price = Monetary(
        "Single Price", currency='currency', digits='currency',
        readonly=True, required=True)
    unit_value = Monetary(
        "Session Value", currency='currency', digits='currency',
        readonly=True, required=True,
        help="The price actually paid for one session.")
    line_value = Monetary(
        "Paid Value", currency='currency', digits='currency', readonly=True,
        required=True)
    value_remaining = Monetary(
        "Value Remaining", currency='currency', digits='currency',
        readonly=True, required=True)
    customer = fields.Function(fields.Many2One(
            'party.party', "Customer"), 'get_package_field',
        searcher='search_package_field')
    expiry_date = fields.Function(fields.Date(
            "Expiry Date"), 'get_package_field',
        searcher='search_package_field')
    state = fields.Function(fields.Selection(
            PACKAGE_STATES, "State"), 'get_package_field',
        searcher='search_package_field')
    company = fields.Function(fields.Many2One(
            'company.company', "Store"), 'get_package_field',
        searcher='search_package_field')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_package_field')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('package')
        cls._sql_constraints += [
            ('remaining_positive', Check(t, t.remaining >= 0),
                'beauty_pos.msg_package_negative_check'),
            ('value_remaining_positive', Check(t, t.value_remaining >= 0),
                'beauty_pos.msg_package_negative_check'),
            ]
        cls._sql_indexes.add(Index(t, (t.service, Index.Range())))

    def get_rec_name(self, name):
        return '%s: %s (%s/%s)' % (
            self.package.rec_name, self.service.rec_name, self.remaining,
            self.sessions)

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('package.rec_name', *clause[1:]),
            ('service.rec_name', *clause[1:]),
            ]

    def get_used(self, name):
        return self.sessions - self.remaining

    def get_package_field(self, name):
        if name == 'currency':
            return self.package.company.currency.id
        value = getattr(self.package, name)
        return value.id if hasattr(value, 'id') else value

    @classmethod
    def search_package_field(cls, name, clause):
        return [('package.' + clause[0],) + tuple(clause[1:])]

    def session_value(self, quantity):
        "The paid value of quantity sessions taken now (last one: the rest)"
        if quantity >= self.remaining:
            return self.value_remaining
        return self.package.company.currency.round(self.unit_value * quantity)

    @classmethod
    def take(cls, entries):
        """Take (or give back) sessions and write the use ledger.

        entries: dicts with line, quantity (sessions taken, negative to give
        back), type, date and optionally value (forced paid value, for
        returns), sale, sale_line, payment, beautician, appointment,
        signature, confirmation, description; only uses check that the
        package is active and not expired.
        The line rows are locked and changed by guarded UPDATEs: the last
        session can be taken once, also by concurrent checkouts.
        """
        pool = Pool()
        Use = pool.get('beauty.package.use')
        Package = pool.get('beauty.package')
        by_line = defaultdict(list)
        for entry in entries:
            by_line[int(entry['line'])].append(entry)
        if not by_line:
            return []
        line_ids = sorted(by_line)
        cls.lock(cls.browse(line_ids))
        columns = ['remaining', 'value_remaining']
        current = read_for_update(cls, line_ids, columns)
        to_create = []
        touched = set()
        for line in cls.browse(line_ids):
            package = line.package
            remaining = current[line.id]['remaining']
            value_remaining = current[line.id]['value_remaining']
            start = {'remaining': remaining,
                'value_remaining': value_remaining}
            currency = package.company.currency
            for entry in by_line[line.id]:
                quantity = entry['quantity']
                type_ = entry['type']
                if not quantity:
                    raise AmountError(gettext(
                            'beauty_pos.msg_package_quantity_zero',
                            line=line.rec_name))
                if type_ == 'use':
                    package.check_usable(entry['date'])
                if quantity > remaining:
                    raise BalanceError(gettext(
                            'beauty_pos.msg_package_insufficient',
                            line=line.rec_name, remaining=remaining,
                            quantity=quantity))
                if 'value' in entry:
                    value = entry['value']
                elif quantity >= remaining:
                    value = value_remaining
                else:
                    value = currency.round(line.unit_value * quantity)
                    value = min(value, value_remaining)
                remaining -= quantity
                value_remaining -= value
                if remaining > line.sessions or value_remaining < 0:
                    raise BalanceError(gettext(
                            'beauty_pos.msg_package_insufficient',
                            line=line.rec_name, remaining=start['remaining'],
                            quantity=quantity))
                values = {
                    k: v for k, v in entry.items()
                    if k != 'line'}
                values.update({
                        'line': line.id,
                        'package': package.id,
                        'company': package.company.id,
                        'service': line.service.id,
                        'value': value,
                        'remaining': remaining,
                        })
                to_create.append(values)
            result = guarded_update(cls, line.id, {
                    'remaining': remaining - start['remaining'],
                    'value_remaining': value_remaining
                    - start['value_remaining'],
                    }, start)
            if (result is None or result['remaining'] != remaining
                    or result['value_remaining'] != value_remaining):
                raise BalanceError(gettext(
                        'beauty_pos.msg_package_insufficient',
                        line=line.rec_name, remaining=start['remaining'],
                        quantity=start['remaining'] - remaining))
            touched.add(package)
        uses = Use.create(to_create)
        # used up / back in use
        packages = Package.browse([p.id for p in touched])
        done, reopen = [], []
        for package in packages:
            if package.state == 'active' and not package.sessions_remaining:
                done.append(package)
            elif package.state == 'done' and package.sessions_remaining:
                reopen.append(package)
        if done:
            Package.write(done, {'state': 'done'})
        if reopen:
            Package.write(reopen, {'state': 'active'})
        return uses

    @classmethod
    def available(cls, customer, service, date, company=None):
        """The usable lines of the customer for the service (or a list of
        services), expiring first"""
        if isinstance(service, (list, tuple)):
            service_clause = ('service', 'in', [int(s) for s in service])
        else:
            service_clause = ('service', '=', int(service))
        domain = [
            ('package.customer', '=', int(customer)),
            service_clause,
            ('package.state', '=', 'active'),
            ('package.expiry_date', '>=', date),
            ('remaining', '>', 0),
            ]
        if company is not None:
            domain.append(('package.company', '=', int(company)))
        return cls.search(domain, order=[
                ('package.expiry_date', 'ASC'), ('id', 'ASC')])


class PackageUse(ModelSQL, ModelView):
    "Package use (划扣): append-only ledger of sessions"
    __name__ = 'beauty.package.use'
    package = fields.Many2One(
        'beauty.package', "Package", required=True, readonly=True,
        ondelete='RESTRICT')
    line = fields.Many2One(
        'beauty.package.line', "Package Line", required=True, readonly=True,
        ondelete='RESTRICT')
    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True,
        ondelete='RESTRICT')
    service = fields.Many2One(
        'product.product', "Service", required=True, readonly=True,
        ondelete='RESTRICT')
    date = fields.Date("Date", required=True, readonly=True)
    type = fields.Selection(USE_TYPES, "Type", required=True, readonly=True)
    quantity = fields.Integer(
        "Sessions", required=True, readonly=True,
        help="Sessions taken (negative: given back).")
    remaining = fields.Integer(
        "Remaining", required=True, readonly=True,
        help="Sessions left on the line after this use.")
    value = Monetary(
        "Value", currency='currency', digits='currency', required=True,
        readonly=True,
        help="The paid value of the sessions: the revenue recognised.")
    sale = fields.Many2One(
        'sale.point.sale', "Sale", readonly=True, ondelete='RESTRICT')
    sale_line = fields.Many2One(
        'sale.point.sale.line', "Sale Line", readonly=True,
        ondelete='RESTRICT')
    payment = fields.Many2One(
        'sale.point.payment', "Payment", readonly=True, ondelete='RESTRICT')
    refund = fields.Many2One(
        'beauty.package.refund', "Refund", readonly=True,
        ondelete='RESTRICT')
    beautician = fields.Many2One(
        'company.employee', "Beautician", readonly=True,
        ondelete='RESTRICT')
    signature = fields.Binary(
        "Customer Signature", readonly=True, file_id='signature_id',
        help="The customer's signature confirming the use.")
    signature_id = fields.Char("Signature ID", readonly=True)
    confirmation = fields.Many2One(
        'beauty.pos.confirmation', "Confirmation Code", readonly=True,
        ondelete='RESTRICT',
        help="The one-time code the customer received and gave back.")
    confirmed = fields.Function(fields.Boolean("Confirmed"), 'get_confirmed')
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
                'beauty_pos.msg_package_payment_once'),
            ('remaining_positive', Check(t, t.remaining >= 0),
                'beauty_pos.msg_package_negative_check'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.package, Index.Range()),
                    (t.id, Index.Range(order='DESC'))),
                Index(t, (t.company, Index.Range()),
                    (t.date, Index.Range())),
                Index(t, (t.sale, Index.Range()), where=t.sale != Null),
                })

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_confirmed(self, name):
        return bool(self.signature_id or self.confirmation)

    def get_customer(self, name):
        return self.package.customer.id

    @classmethod
    def search_customer(cls, name, clause):
        return [('package.customer',) + tuple(clause[1:])]

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.package.number, self.service.rec_name, self.date)

    @classmethod
    def check_modification(cls, mode, uses, values=None, external=False):
        super().check_modification(
            mode, uses, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise LedgerAccessError(gettext(
                    'beauty_pos.msg_ledger_append_only',
                    ledger=cls.__names__()['model']))

    @classmethod
    def used_totals(cls, packages):
        """Per package: (single prices, paid value) of the sessions used
        (uses less returns), in one SQL aggregate"""
        pool = Pool()
        Line = pool.get('beauty.package.line')
        use = cls.__table__()
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        result = defaultdict(lambda: (Decimal(0), Decimal(0)))
        query = use.join(line, condition=use.line == line.id).select(
            use.package,
            Sum(use.quantity * line.unit_price),
            Sum(use.value),
            where=in_(use.package, [p.id for p in packages])
            & use.type.in_(['use', 'return']),
            group_by=[use.package])
        cursor.execute(*typed(query, [None, 'NUMERIC', 'NUMERIC']))
        for package_id, value, paid in cursor:
            result[package_id] = (value or Decimal(0), paid or Decimal(0))
        return result


class Confirmation(ModelSQL, ModelView):
    """One-time confirmation code sent to a customer (e.g. to confirm a
    package use): only a hash is kept once the code is sent."""
    __name__ = 'beauty.pos.confirmation'
    customer = fields.Many2One(
        'party.party', "Customer", required=True, readonly=True,
        ondelete='CASCADE')
    sale = fields.Many2One(
        'sale.point.sale', "Sale", readonly=True, ondelete='CASCADE')
    code_hash = fields.Char("Code Hash", readonly=True)
    expires = fields.Timestamp("Expires", required=True, readonly=True)
    used = fields.Boolean("Used", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.sale, Index.Range())))

    @staticmethod
    def default_used():
        return False

    @staticmethod
    def _hash(code):
        return hashlib.sha256(code.encode()).hexdigest()

    @classmethod
    def send(cls, customer, sale=None):
        """Create a 6-digit code for the customer, send it through the
        gateway and keep only its hash; return the record and the code."""
        code = '%06d' % secrets.randbelow(1000000)
        record = cls(
            customer=customer, sale=sale, code_hash=cls._hash(code),
            expires=dt.datetime.now() + CODE_VALIDITY)
        record.save()
        cls._deliver(customer, code, sale)
        return record, code

    @classmethod
    def _deliver(cls, customer, code, sale):
        """Send the code to the customer's mobile. The SMS/WeChat gateway of
        the suite plugs in here; without one the code is logged."""
        logger.info(
            "confirmation code for %s (sale %s) sent",
            customer.id, sale.id if sale else None)

    @classmethod
    def verify(cls, customer, code, sale=None):
        """The unused, unexpired confirmation of the customer matching the
        code (marked used, once, under a guarded UPDATE), or None"""
        if not code:
            return None
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        now = dt.datetime.now()
        domain = [
            ('customer', '=', int(customer)),
            ('used', '=', False),
            ('expires', '>=', now),
            ]
        if sale is not None:
            domain.append(('sale', '=', int(sale)))
        for record in cls.search(domain, order=[('id', 'DESC')]):
            if hmac.compare_digest(record.code_hash, cls._hash(code.strip())):
                cursor.execute(*table.update(
                        [table.used], [True],
                        where=(table.id == record.id)
                        & (table.used == False)))  # noqa: E712
                if cursor.rowcount:
                    return record
        return None


class PackageRefund(RefundMixin, ModelSQL, ModelView):
    "Treatment package refund, with its computation"
    __name__ = 'beauty.package.refund'
    _refunded = 'package'
    _refunded_once = 'beauty_pos.msg_package_refund_once'
    package = fields.Many2One(
        'beauty.package', "Package", required=True, readonly=True,
        ondelete='RESTRICT')
    paid = Monetary(
        "Price Paid", currency='currency', digits='currency', readonly=True)

    @classmethod
    def validate_fields(cls, refunds, field_names):
        super().validate_fields(refunds, field_names)
        for refund in refunds:
            if refund.amount > refund.paid:
                raise RefundError(gettext(
                        'beauty_pos.msg_package_refund_beyond_paid',
                        package=refund.package.rec_name,
                        amount=refund.amount, paid=refund.paid))

    @classmethod
    def compute(cls, package, date, reason='customer'):
        pool = Pool()
        Use = pool.get('beauty.package.use')
        Configuration = pool.get('beauty.pos.configuration')
        days = Configuration.get_value(
            'cooling_off_days', company=package.company, required=False)
        if days is None:
            days = 7
        used_value, used_paid = Use.used_totals([package])[package.id]
        return refund_rules.package_refund(
            package.price, package.value, used_value, used_paid,
            package.purchase_date, date, cooling_off_days=days,
            salon_fault=reason == 'salon',
            digits=package.currency.digits)

    @classmethod
    def text(cls, package, computation, date):
        lang = Pool().get('ir.lang').get()

        def money(amount):
            return lang.currency(amount, package.currency)
        lines = [gettext('beauty_pos.msg_package_refund_text_header',
                package=package.rec_name, date=lang.strftime(date),
                purchase_date=lang.strftime(package.purchase_date),
                paid=money(computation.paid),
                value=money(computation.value),
                used_value=money(computation.used_value),
                used_paid=money(computation.used_paid),
                rule=gettext(RULE_NAMES[computation.rule]))]
        if computation.rule == refund_rules.RULE_PRINCIPAL_FIRST:
            lines.append(gettext(
                    'beauty_pos.msg_package_refund_text_principal_first',
                    paid=money(computation.paid),
                    used_value=money(computation.used_value),
                    used_paid=money(computation.used_paid),
                    refund=money(computation.refund)))
        else:
            lines.append(gettext(
                    'beauty_pos.msg_package_refund_text_ratio',
                    paid=money(computation.paid),
                    used_paid=money(computation.used_paid),
                    refund=money(computation.refund)))
        return '\n'.join(lines)

    @classmethod
    def make(cls, package, date, reason, method, expected=None, note=None):
        """Refund the package: the remaining sessions are given up (refund
        lines), the refund paid back, what the liability still held and is
        not paid back goes to the forfeited balances; commission clawed
        back."""
        pool = Pool()
        Package = pool.get('beauty.package')
        Line = pool.get('beauty.package.line')
        Configuration = pool.get('beauty.pos.configuration')
        Commission = pool.get('beauty.commission')
        package = cls.lock_refundable(
            package, method, 'beauty_pos.msg_package_refunded',
            lock=[list(package.lines)])
        computation = cls.compute(package, date, reason)
        cls.check_expected(package, computation, expected)
        liability = package.value_remaining
        refund = cls(
            package=package, company=package.company, date=date,
            reason=reason, method=method, paid=package.price,
            amount=computation.refund,
            cooling_off=computation.rule == refund_rules.RULE_COOLING_OFF,
            computation=cls.text(package, computation, date), note=note)
        refund.save()
        Line.take([{
                    'line': l, 'quantity': l.remaining, 'type': 'refund',
                    'date': date, 'refund': refund.id,
                    } for l in package.lines if l.remaining])
        company = package.company
        with Transaction().set_context(company=company.id):
            package_account = Configuration.get_value(
                'package_account', company=company)
            breakage = Configuration.get_value(
                'breakage_account', company=company)
        refund.post_move([
                (package_account, liability),
                (method.account, -computation.refund),
                (breakage, computation.refund - liability),
                ], gettext('beauty_pos.msg_move_package_refund',
                package=package.number))
        Package.write([Package(package.id)], {'state': 'refunded'})
        if package.price:
            Commission.clawback_package_refund(
                package, refund, computation.refund / package.price, date)
        return refund


class PackageRefundStart(RefundStartMixin, ModelView):
    "Package refund"
    __name__ = 'beauty.package.refund.start'
    package = fields.Many2One('beauty.package', "Package", readonly=True)

    @fields.depends('package', 'date', 'reason')
    def on_change_reason(self):
        pool = Pool()
        Refund = pool.get('beauty.package.refund')
        if self.package and self.date and self.reason:
            computation = Refund.compute(self.package, self.date, self.reason)
            self.amount = computation.refund
            self.computation = Refund.text(
                self.package, computation, self.date)


class PackageRefundWizard(Wizard):
    "Refund a treatment package"
    __name__ = 'beauty.package.refund.wizard'
    start = StateView(
        'beauty.package.refund.start',
        'beauty_pos.package_refund_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Confirm Refund", 'refund', 'tryton-ok', default=True),
            ])
    refund = StateTransition()

    def default_start(self, fields):
        package = self.record
        values = refund_start_defaults(package, 'package')
        start = self.start.__class__(**values)
        start.package = package
        start.on_change_reason()
        values['amount'] = start.amount
        values['computation'] = start.computation
        return values

    def transition_refund(self):
        pool = Pool()
        Refund = pool.get('beauty.package.refund')
        Refund.make(
            self.record, self.start.date, self.start.reason,
            self.start.method, expected=self.start.amount,
            note=self.start.note)
        return 'end'
