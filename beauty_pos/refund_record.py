# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""What the refund of a stored-value card (退卡) and of a treatment package
(退疗程卡) share: the append-only refund record, the checks before paying
back, its account move and the defaults of the refund wizards.

The amounts themselves are computed by refund.py (pure rules, no database).
"""
from trytond.i18n import gettext
from trytond.model import Check, Index, Unique, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .accounting import build_move, post_moves
from .exceptions import LedgerAccessError, RefundError

REFUND_REASONS = [
    ('customer', "Customer's Request"),
    ('salon', "Caused by the Salon"),
    ]
MONEY_KINDS = {'cash', 'wechat', 'alipay', 'bank', 'other'}


class RefundMixin:
    """The refund of a prepaid record (the Many2One named ``_refunded``),
    refunded once, with its computation and account move"""
    __slots__ = ()
    _refunded = None  # name of the Many2One to the card or the package
    _refunded_once = None  # message of the unique constraint

    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True,
        ondelete='RESTRICT')
    date = fields.Date("Date", required=True, readonly=True)
    reason = fields.Selection(
        REFUND_REASONS, "Reason", required=True, readonly=True)
    method = fields.Many2One(
        'sale.point.payment.method', "Paid By", required=True,
        readonly=True, ondelete='RESTRICT')
    amount = Monetary(
        "Refunded", currency='currency', digits='currency', readonly=True)
    cooling_off = fields.Boolean("Cooling-off", readonly=True)
    computation = fields.Text("Computation", readonly=True)
    note = fields.Text("Note", readonly=True)
    move = fields.Many2One(
        'account.move', "Account Move", readonly=True, ondelete='RESTRICT')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._sql_constraints += [
            ('%s_unique' % cls._refunded,
                Unique(t, getattr(t, cls._refunded)), cls._refunded_once),
            ('amount_positive', Check(t, t.amount >= 0),
                'beauty_pos.msg_refund_amount_check'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.company, Index.Range()), (t.date, Index.Range())))

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_rec_name(self, name):
        return '%s %s' % (getattr(self, self._refunded).rec_name, self.date)

    @classmethod
    def check_modification(cls, mode, refunds, values=None, external=False):
        super().check_modification(
            mode, refunds, values=values, external=external)
        if mode in {'write', 'delete'} and (
                mode == 'delete' or values.keys() - {'move'}):
            raise LedgerAccessError(gettext(
                    'beauty_pos.msg_ledger_append_only',
                    ledger=cls.__names__()['model']))

    @classmethod
    def lock_refundable(cls, record, method, refunded_message, lock=()):
        """Lock the record (and the other rows of lock), read it again and
        check that it may be refunded by the method; return it fresh"""
        Model = record.__class__
        Model.lock([record])
        for records in lock:
            if records:
                records[0].__class__.lock(records)
        record = Model(record.id)
        if record.state == 'refunded':
            raise RefundError(gettext(
                    refunded_message,
                    **{cls._refunded: record.rec_name}))
        if method.kind not in MONEY_KINDS:
            raise RefundError(gettext(
                    'beauty_pos.msg_refund_method_money',
                    method=method.rec_name))
        return record

    @staticmethod
    def check_expected(record, computation, expected):
        "The refund shown to the customer is still the one computed"
        if expected is not None and computation.refund != expected:
            raise RefundError(gettext(
                    'beauty_pos.msg_refund_changed', card=record.rec_name))

    def post_move(self, lines, description):
        """Post the account move of the refund (lines: (account, amount)
        pairs, see accounting.build_move) and link it"""
        company = self.company
        with Transaction().set_context(company=company.id):
            move = build_move(
                company, self.date, lines, origin=self,
                description=description)
        post_moves([move])
        self.move = move
        self.save()
        return move


class RefundStartMixin:
    "The form of a refund wizard: how it is paid back and the computation"
    __slots__ = ()
    date = fields.Date("Date", readonly=True)
    reason = fields.Selection(REFUND_REASONS, "Reason", required=True)
    method = fields.Many2One(
        'sale.point.payment.method', "Pay Back By", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('kind', 'in', ['cash', 'wechat', 'alipay', 'bank', 'other']),
            ])
    company = fields.Many2One('company.company', "Store", readonly=True)
    amount = Monetary(
        "Refund", currency='currency', digits='currency', readonly=True)
    computation = fields.Text("Computation", readonly=True)
    note = fields.Text("Note")
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)


def refund_start_defaults(record, field):
    """The defaults of a refund wizard of the record (card or package,
    named field in the wizard): today in the store, the customer's request,
    paid back in cash"""
    pool = Pool()
    Date = pool.get('ir.date')
    Method = pool.get('sale.point.payment.method')
    with Transaction().set_context(company=record.company.id):
        date = Date.today()
    values = {
        field: record.id,
        'company': record.company.id,
        'currency': record.currency.id,
        'date': date,
        'reason': 'customer',
        }
    methods = Method.search([
            ('company', '=', record.company.id),
            ('kind', '=', 'cash'),
            ], limit=1)
    if methods:
        values['method'] = methods[0].id
    return values
