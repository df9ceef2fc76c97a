# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Group-buy vouchers (团购券) of 美团, 大众点评 and 抖音.

A customer buys a deal (团购项目) on a platform and comes with its code
(券码). The codes are imported for the deal (pasted or from a file), then
redeemed at the checkout (see sale.py): the code is typed or scanned on the
sale, it must be valid, not expired and of a deal covering a service on the
sale; that service line is priced at the deal price and paid by a payment
of kind 团购券. The deal price is the takings, the platform keeps its fee,
the rest is the settlement the platform pays the store.

A code redeems once: the voucher row is locked by the checkout and its
state changed by one guarded UPDATE. A returned sale gives the voucher back
as *valid* (the redemption is cancelled, 撤销验券, and the customer may come
again with the same code); when the platform refunds the customer instead,
the manager marks the voucher *refunded*.
"""
import re

from sql import Null

from beauty_customer.customer_import import read_rows
from beauty_pos.ledger import clear_cache

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Bool, Equal, Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import DealValidationError, VoucherError, VoucherImportError

VOUCHER_STATES = [
    ('valid', "Valid"),
    ('redeemed', "Redeemed"),
    ('expired', "Expired"),
    ('refunded', "Refunded"),
    ]
# what the platforms print: digits and letters, often grouped by spaces
CODE_RE = re.compile(r'^[0-9A-Z]{6,32}$')
CODE_COLUMNS = {'code', '券码', '券号', '团购券码', '验证码'}


def normalize_code(code):
    "The code as stored: without spaces or dashes, in capitals"
    return re.sub(r'[\s\-]', '', code or '').upper()


class Platform(DeactivableMixin, ModelSQL, ModelView):
    "Group-buy platform"
    __name__ = 'beauty.groupbuy.platform'
    name = fields.Char("Name", required=True)
    code = fields.Char("Code", required=True)
    fee_rate = fields.Numeric(
        "Fee Rate (%)", digits=(16, 2), required=True,
        domain=[('fee_rate', '>=', 0), ('fee_rate', '<', 100)],
        help="The percentage of the deal price the platform keeps "
        "(8 = 8%).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'beauty_groupbuy.msg_platform_code_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    @staticmethod
    def default_fee_rate():
        return 0


class Deal(DeactivableMixin, ModelSQL, ModelView):
    "Group-buy deal"
    __name__ = 'beauty.groupbuy.deal'
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE')
    platform = fields.Many2One(
        'beauty.groupbuy.platform', "Platform", required=True,
        ondelete='RESTRICT')
    name = fields.Char("Name", required=True)
    services = fields.Many2Many(
        'beauty.groupbuy.deal-product.product', 'deal', 'product',
        "Services",
        domain=[('type', '=', 'service')],
        help="The services the voucher pays for: one of them per voucher.")
    price = Monetary(
        "Deal Price", currency='currency', digits='currency', required=True,
        help="What the customer paid on the platform: the takings of a "
        "redeemed voucher.")
    settlement = fields.Function(Monetary(
            "Settlement", currency='currency', digits='currency',
            help="What the platform pays the store: the price less the "
            "platform's fee."),
        'on_change_with_settlement')
    start_date = fields.Date(
        "From", required=True,
        domain=[If(Eval('end_date'),
                ('start_date', '<=', Eval('end_date')), ())])
    end_date = fields.Date(
        "To", required=True,
        help="The last day the vouchers of the deal may be redeemed "
        "(the default expiry of imported codes).")
    vouchers = fields.One2Many(
        'beauty.groupbuy.voucher', 'deal', "Vouchers", readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.company, Index.Range()), (t.platform, Index.Range())))
        cls._order = [('end_date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'import_codes': {
                    'readonly': ~Eval('active', True),
                    'depends': ['active'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('price', 'platform', 'company')
    def on_change_with_settlement(self, name=None):
        if self.price is None or not self.platform:
            return None
        return self.price - self.fee_for(self.price)

    def fee_for(self, amount):
        "The platform's fee on amount, rounded to the currency"
        fee = amount * (self.platform.fee_rate or 0) / 100
        if self.company:
            return self.company.currency.round(fee)
        return fee

    def get_rec_name(self, name):
        return '%s (%s)' % (self.name, self.platform.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('name', operator, operand, *extra),
            ('platform.name', operator, operand, *extra),
            ]

    @classmethod
    def validate_fields(cls, deals, field_names):
        super().validate_fields(deals, field_names)
        if field_names & {'price', 'start_date', 'end_date'}:
            for deal in deals:
                if deal.price is not None and deal.price <= 0:
                    raise DealValidationError(gettext(
                            'beauty_groupbuy.msg_deal_price_positive',
                            deal=deal.rec_name))
                if deal.end_date < deal.start_date:
                    raise DealValidationError(gettext(
                            'beauty_groupbuy.msg_deal_dates',
                            deal=deal.rec_name))

    @classmethod
    def validate(cls, deals):
        super().validate(deals)
        for deal in deals:
            if not deal.services:
                raise DealValidationError(gettext(
                        'beauty_groupbuy.msg_deal_services',
                        deal=deal.rec_name))

    @classmethod
    @ModelView.button_action('beauty_groupbuy.wizard_voucher_import')
    def import_codes(cls, deals):
        pass


class DealService(ModelSQL):
    "Group-buy deal - Service"
    __name__ = 'beauty.groupbuy.deal-product.product'
    deal = fields.Many2One(
        'beauty.groupbuy.deal', "Deal", required=True, ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Service", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('deal')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.product, Index.Range())))


class Voucher(Workflow, ModelSQL, ModelView):
    "Group-buy voucher"
    __name__ = 'beauty.groupbuy.voucher'
    _rec_name = 'code'
    code = fields.Char(
        "Code", required=True,
        states={
            'readonly': Eval('id', -1) >= 0,
            },
        help="The code the customer shows (券码), unique per platform.")
    deal = fields.Many2One(
        'beauty.groupbuy.deal', "Deal", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('id', -1) >= 0,
            })
    platform = fields.Many2One(
        'beauty.groupbuy.platform', "Platform", required=True,
        readonly=True, ondelete='RESTRICT')
    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True,
        ondelete='CASCADE')
    state = fields.Selection(
        VOUCHER_STATES, "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')
    expiry_date = fields.Date(
        "Expiry Date", required=True,
        states={
            'readonly': Eval('state') != 'valid',
            },
        help="The last day the code may be redeemed.")
    customer = fields.Many2One(
        'party.party', "Customer", readonly=True, ondelete='RESTRICT')
    sale = fields.Many2One(
        'sale.point.sale', "Sale", readonly=True, ondelete='RESTRICT',
        help="The checkout that redeemed the code.")
    sale_line = fields.Many2One(
        'sale.point.sale.line', "Sale Line", readonly=True,
        ondelete='RESTRICT')
    payment = fields.Many2One(
        'sale.point.payment', "Payment", readonly=True, ondelete='RESTRICT')
    date = fields.Date("Redemption Date", readonly=True)
    redeemed_at = fields.Timestamp("Redeemed At", readonly=True)
    redeemed_by = fields.Many2One(
        'res.user', "Redeemed By", readonly=True, ondelete='RESTRICT')
    # a code not redeemed has no takings: no lone ¥ in its cells
    amount = Monetary(
        "Takings", currency='currency', digits='currency', readonly=True,
        states={
            'invisible': Equal(Eval('amount', None), None),
            },
        help="The deal price when the code was redeemed.")
    fee = Monetary(
        "Platform Fee", currency='currency', digits='currency',
        readonly=True,
        states={
            'invisible': Equal(Eval('fee', None), None),
            },
        help="What the platform keeps of the takings.")
    settlement = fields.Function(Monetary(
            "Settlement", currency='currency', digits='currency',
            states={
                'invisible': Equal(Eval('amount', None), None),
                }),
        'get_settlement')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_platform_unique', Unique(t, t.platform, t.code),
                'beauty_groupbuy.msg_voucher_code_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.code, Index.Similarity())),
                Index(t, (t.code, Index.Equality())),
                Index(t, (t.company, Index.Range()), (t.date, Index.Range())),
                Index(t, (t.state, Index.Equality()),
                    (t.expiry_date, Index.Range()),
                    where=t.state == 'valid'),
                Index(t, (t.sale, Index.Range()), where=t.sale != Null),
                })
        cls._order = [('id', 'DESC')]
        cls._transitions |= {
            ('valid', 'refunded'),
            ('valid', 'expired'),
            ('expired', 'valid'),
            }
        cls._buttons.update({
                'refund': {
                    'invisible': Eval('state') != 'valid',
                    'depends': ['state'],
                    },
                'revalidate': {
                    'invisible': Eval('state') != 'expired',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'valid'

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @fields.depends('deal')
    def on_change_deal(self):
        if self.deal:
            self.platform = self.deal.platform
            self.expiry_date = self.deal.end_date

    @classmethod
    def validate_fields(cls, vouchers, field_names):
        super().validate_fields(vouchers, field_names)
        if 'code' in field_names:
            for voucher in vouchers:
                if not CODE_RE.match(voucher.code):
                    raise VoucherError(gettext(
                            'beauty_groupbuy.msg_import_malformed',
                            line=1, code=voucher.code))

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_settlement(self, name):
        if self.amount is None:
            return None
        return self.amount - (self.fee or 0)

    def get_rec_name(self, name):
        return '%s %s' % (self.platform.name, self.code)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if isinstance(operand, str) and operator in {'=', 'ilike', 'like'}:
            operand = operand.replace(' ', '')
        return [('code', operator, operand, *extra)]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Deal = pool.get('beauty.groupbuy.deal')
        values = super().preprocess_values(mode, values)
        if 'code' in values:
            values['code'] = normalize_code(values['code'])
        if mode == 'create' and values.get('deal'):
            deal = Deal(values['deal'])
            values.setdefault('platform', deal.platform.id)
            values.setdefault('company', deal.company.id)
            values.setdefault('expiry_date', deal.end_date)
        return values

    @classmethod
    def check_modification(cls, mode, vouchers, values=None, external=False):
        super().check_modification(
            mode, vouchers, values=values, external=external)
        if mode == 'delete':
            for voucher in vouchers:
                if voucher.state != 'valid' or voucher.sale:
                    raise VoucherError(gettext(
                            'beauty_groupbuy.msg_voucher_delete',
                            code=voucher.code,
                            state=voucher.state_string))

    @classmethod
    def copy(cls, vouchers, default=None):
        if vouchers:
            raise VoucherError(gettext('beauty_groupbuy.msg_voucher_copy'))
        return super().copy(vouchers, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('refunded')
    def refund(cls, vouchers):
        "The platform refunded the customer: the code is void"
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('valid')
    def revalidate(cls, vouchers):
        "The platform extended the validity: set the new expiry date"
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        for voucher in vouchers:
            if voucher.expiry_date < today:
                raise VoucherError(gettext(
                        'beauty_groupbuy.msg_voucher_revalidate',
                        code=voucher.code, date=voucher.expiry_date))

    @classmethod
    def find(cls, code, company):
        """The vouchers of the store matching the typed code, the valid ones
        first (one code may exist on two platforms)"""
        code = normalize_code(code)
        if not code:
            return []
        vouchers = cls.search([
                ('code', '=', code),
                ('company', '=', int(company)),
                ])
        return sorted(vouchers, key=lambda v: (v.state != 'valid', v.id))

    def check_usable(self, date, company, product=None):
        "Raise a clear error when the code cannot be redeemed on date"
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        if self.company != company:
            raise VoucherError(gettext(
                    'beauty_groupbuy.msg_voucher_other_store',
                    code=self.code, store=self.company.rec_name))
        if self.state == 'redeemed':
            raise VoucherError(gettext(
                    'beauty_groupbuy.msg_voucher_redeemed',
                    code=self.code,
                    date=lang.strftime(self.date) if self.date else '',
                    sale=self.sale.rec_name if self.sale else ''))
        if self.state != 'valid':
            raise VoucherError(gettext(
                    'beauty_groupbuy.msg_voucher_not_valid',
                    code=self.code, state=self.state_string))
        if date > self.expiry_date:
            raise VoucherError(gettext(
                    'beauty_groupbuy.msg_voucher_expired',
                    code=self.code, date=lang.strftime(self.expiry_date)))
        if date < self.deal.start_date:
            raise VoucherError(gettext(
                    'beauty_groupbuy.msg_voucher_not_started',
                    code=self.code, deal=self.deal.rec_name,
                    date=lang.strftime(self.deal.start_date)))
        if product is not None and product not in self.deal.services:
            raise VoucherError(gettext(
                    'beauty_groupbuy.msg_voucher_other_service',
                    code=self.code, deal=self.deal.rec_name,
                    product=product.rec_name,
                    services="、".join(
                        s.rec_name for s in self.deal.services)))

    @classmethod
    def redeem(cls, voucher, values):
        """Mark the voucher redeemed: one guarded UPDATE, so that a code is
        redeemed once even by concurrent checkouts"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        columns = [getattr(table, n) for n in values] + [table.state]
        cursor.execute(*table.update(
                columns, list(values.values()) + ['redeemed'],
                where=(table.id == voucher.id)
                & (table.state == 'valid')))
        if cursor.rowcount != 1:
            raise VoucherError(gettext(
                    'beauty_groupbuy.msg_voucher_redeemed_concurrently',
                    code=voucher.code))
        cls._clear(voucher)

    @classmethod
    def restore(cls, voucher, sale):
        "Cancel the redemption (the sale is returned): the code is valid again"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.state, table.sale, table.sale_line, table.payment,
                    table.date, table.redeemed_at, table.redeemed_by,
                    table.amount, table.fee],
                ['valid', Null, Null, Null, Null, Null, Null, Null, Null],
                where=(table.id == voucher.id)
                & (table.state == 'redeemed')
                & (table.sale == sale.id)))
        cls._clear(voucher)

    @classmethod
    def _clear(cls, voucher):
        clear_cache(cls, [voucher.id])

    @classmethod
    def expire(cls, date=None):
        "Expire the valid codes past their expiry date"
        pool = Pool()
        Date = pool.get('ir.date')
        if date is None:
            date = Date.today()
        vouchers = cls.search([
                ('state', '=', 'valid'),
                ('expiry_date', '<', date),
                ])
        if vouchers:
            cls.write(vouchers, {'state': 'expired'})
        return vouchers

    @classmethod
    def cron_expire(cls):
        cls.expire()

    @classmethod
    def import_codes(cls, deal, lines, expiry_date=None):
        """Create the vouchers of deal for lines [(line number, code)];
        refuse all of them when one line is malformed or a duplicate (in the
        lines or already known for the platform)"""
        errors = []
        seen = {}
        codes = []
        for number, raw in lines:
            code = normalize_code(raw)
            if not code:
                continue
            if not CODE_RE.match(code):
                errors.append((number, gettext(
                            'beauty_groupbuy.msg_import_malformed',
                            line=number, code=raw.strip())))
            elif code in seen:
                errors.append((number, gettext(
                            'beauty_groupbuy.msg_import_duplicate_line',
                            line=number, code=code, first=seen[code])))
            else:
                seen[code] = number
                codes.append(code)
        known = {v.code for v in cls.search([
                    ('platform', '=', deal.platform.id),
                    ('code', 'in', codes),
                    ])} if codes else set()
        for code in codes:
            if code in known:
                errors.append((seen[code], gettext(
                            'beauty_groupbuy.msg_import_duplicate_known',
                            line=seen[code], code=code,
                            platform=deal.platform.name)))
        if errors:
            errors.sort(key=lambda e: e[0])
            raise VoucherImportError(gettext(
                    'beauty_groupbuy.msg_import_refused',
                    count=len(errors),
                    errors='\n'.join(e for _, e in errors)))
        if not codes:
            raise VoucherImportError(gettext(
                    'beauty_groupbuy.msg_import_empty'))
        return cls.create([{
                    'code': c,
                    'deal': deal.id,
                    'expiry_date': expiry_date or deal.end_date,
                    } for c in codes])

class VoucherImportStart(ModelView):
    "Import group-buy codes"
    __name__ = 'beauty.groupbuy.voucher.import.start'
    deal = fields.Many2One(
        'beauty.groupbuy.deal', "Deal", required=True,
        domain=[('company', '=', Eval('company', -1))])
    company = fields.Many2One('company.company', "Store", readonly=True)
    expiry_date = fields.Date(
        "Expiry Date",
        help="The last day the codes may be redeemed (empty: the end of "
        "the deal).")
    codes = fields.Text(
        "Codes",
        states={
            'required': ~Eval('file'),
            },
        help="One code per line, as the platform shows it (spaces are "
        "ignored).")
    file = fields.Binary(
        "File", filename='filename',
        help="Or an .xlsx or .csv file with a column 券码 (or code); "
        "without such a column, the first column.")
    filename = fields.Char("File Name")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')


class VoucherImport(Wizard):
    "Import group-buy codes"
    __name__ = 'beauty.groupbuy.voucher.import'
    start = StateView(
        'beauty.groupbuy.voucher.import.start',
        'beauty_groupbuy.voucher_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()

    def default_start(self, fields):
        values = {}
        if self.model and self.model.__name__ == 'beauty.groupbuy.deal':
            if self.record:
                values['deal'] = self.record.id
                values['company'] = self.record.company.id
        return values

    def transition_import_(self):
        pool = Pool()
        Voucher = pool.get('beauty.groupbuy.voucher')
        vouchers = Voucher.import_codes(
            self.start.deal, self.lines(), self.start.expiry_date)
        self.start.codes = None
        return 'end'

    def lines(self):
        "[(line number, code)] of the pasted text and the file"
        lines = []
        if self.start.codes:
            lines.extend(
                (i, l) for i, l in enumerate(
                    self.start.codes.splitlines(), 1) if l.strip())
        if self.start.file:
            header, rows = read_rows(self.start.file, self.start.filename)
            names = [str(h or '').strip().lower() for h in header]
            index = next(
                (i for i, n in enumerate(names) if n in CODE_COLUMNS), None)
            if index is None:
                # no header: the first row is a code too
                index = 0
                rows = [(1, header)] + rows
            for number, row in rows:
                value = row[index] if index < len(row) else None
                if isinstance(value, float) and value == int(value):
                    value = int(value)
                lines.append((number, '' if value is None else str(value)))
        return lines

