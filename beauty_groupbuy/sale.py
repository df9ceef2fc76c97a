# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Redemption of group-buy vouchers at the checkout.

The front desk types or scans the code in the "团购券码" field of the sale:
the voucher must be of the store, valid, not expired, and its deal must
cover a service line of the sale (quantity 1, not paid by a package
session). That line is then priced at the deal price (the price before is
kept as "Price before Discount") and a payment of kind 团购券 of the line's
amount is kept in step with it, as the package sessions are. The platform
fee is recorded on the voucher when the sale is processed.

Figures of a line paid by a voucher: ``paid_groupbuy`` is the deal price,
no cash performance (the money is collected by the platform), the
consumption performance is the deal price (the service consumed at the
price paid, the base of the beautician's commission).

Returns: a line paid by a voucher is returned on its own return sale; the
voucher payment is reversed and the voucher is *valid* again (撤销验券: the
customer may come back with the same code). When the platform refunds the
customer instead, the manager marks the voucher refunded.
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from beauty_pos.exceptions import ReturnError

from trytond.i18n import gettext
from trytond.model import Index, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from .exceptions import VoucherError

ZERO = Decimal(0)
KIND = ('groupbuy', "Group-buy Voucher")


def _add_kind(field):
    if KIND[0] not in dict(field.selection):
        field.selection = list(field.selection) + [KIND]


class POSPaymentMethod(metaclass=PoolMeta):
    __name__ = 'sale.point.payment.method'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        _add_kind(cls.kind)


class POSSale(metaclass=PoolMeta):
    __name__ = 'sale.point.sale'

    groupbuy_code = fields.Function(fields.Char(
            "Group-buy Code",
            states={
                'readonly': (Eval('state') != 'open')
                | Bool(Eval('returned_sale')),
                },
            help="Type or scan the code of a 美团, 大众点评 or 抖音 voucher: "
            "the service line of its deal is paid by the voucher."),
        'get_groupbuy_code', setter='set_groupbuy_code')
    groupbuy_vouchers = fields.One2Many(
        'beauty.groupbuy.voucher', 'sale', "Group-buy Vouchers",
        readonly=True)

    def get_groupbuy_code(self, name):
        return None

    @classmethod
    def set_groupbuy_code(cls, sales, name, value):
        pass

    @fields.depends(
        'groupbuy_code', 'company', 'date', 'lines', 'state', 'customer',
        'point', 'currency',
        methods=['on_change_with_total_tax', 'on_change_with_total',
            'on_change_with_amount_to_pay'])
    def on_change_groupbuy_code(self):
        pool = Pool()
        Voucher = pool.get('beauty.groupbuy.voucher')
        Date = pool.get('ir.date')
        code, self.groupbuy_code = self.groupbuy_code, None
        if not code or not code.strip() or not self.company:
            return
        vouchers = Voucher.find(code, self.company)
        if not vouchers:
            raise VoucherError(gettext(
                    'beauty_groupbuy.msg_voucher_unknown',
                    code=code.strip()))
        voucher = vouchers[0]
        with Transaction().set_context(company=self.company.id):
            date = self.date or Date.today()
        voucher.check_usable(date, self.company)
        lines = list(self.lines or [])
        if any(getattr(l, 'groupbuy_voucher', None) == voucher
                for l in lines):
            raise VoucherError(gettext(
                    'beauty_groupbuy.msg_voucher_on_sale', code=voucher.code))
        line = self._groupbuy_line(voucher, lines)
        line.sale = self
        line.groupbuy_voucher = voucher
        line.on_change_product()
        self.lines = lines
        self.total_tax = self.on_change_with_total_tax()
        self.total = self.on_change_with_total()
        self.amount_to_pay = self.on_change_with_amount_to_pay()

    @staticmethod
    def _groupbuy_line(voucher, lines, exclude=None):
        "The line of lines the voucher pays, or a clear error"
        services = set(voucher.deal.services)
        matching = [l for l in lines
            if getattr(l, 'product', None) in services
            and getattr(l, 'kind', 'service') == 'service'
            and not getattr(l, 'package_line', None)
            and (not getattr(l, 'groupbuy_voucher', None)
                or l.groupbuy_voucher == exclude)]
        if not matching:
            raise VoucherError(gettext(
                    'beauty_groupbuy.msg_voucher_service_not_on_sale',
                    code=voucher.code, deal=voucher.deal.rec_name,
                    services="、".join(s.rec_name for s in services)))
        for line in matching:
            if line.quantity == 1:
                return line
        raise VoucherError(gettext(
                'beauty_groupbuy.msg_voucher_quantity',
                code=voucher.code, service=matching[0].product.rec_name))

    @classmethod
    def copy(cls, sales, default=None):
        default = default.copy() if default else {}
        default.setdefault('groupbuy_vouchers')
        return super().copy(sales, default=default)

    # --- payments in step with the lines ---------------------------------

    @classmethod
    def sync_package_payments(cls, sales):
        changed = super().sync_package_payments(sales)
        return cls.sync_groupbuy_payments(sales) or changed

    @classmethod
    def sync_groupbuy_payments(cls, sales):
        """One payment of kind 团购券 per line paid by a voucher, of the
        line's amount; the line at the deal price.
        Return whether a line or payment was written or deleted."""
        pool = Pool()
        Payment = pool.get('sale.point.payment')
        Method = pool.get('sale.point.payment.method')
        Line = pool.get('sale.point.sale.line')
        to_save, to_delete, lines = [], [], []
        for sale in sales:
            if sale.state != 'open' or sale.returned_sale:
                continue
            for line in sale.lines:
                voucher = line.groupbuy_voucher
                if voucher and line.unit_gross_price != voucher.deal.price:
                    line.on_change_product()
                    lines.append(line)
        if lines:
            Line.save(lines)
            sales = cls.browse([s.id for s in sales])
        for sale in sales:
            if sale.state != 'open' or sale.returned_sale:
                continue
            existing = {}
            for payment in sale.payments:
                if payment.method.kind == 'groupbuy':
                    if (payment.sale_line
                            and payment.sale_line.groupbuy_voucher
                            and payment.sale_line.id not in existing):
                        existing[payment.sale_line.id] = payment
                    else:
                        to_delete.append(payment)
            method = None
            for line in sale.lines:
                if not line.groupbuy_voucher:
                    continue
                payment = existing.pop(line.id, None)
                if payment is None:
                    if method is None:
                        method = Method.of_kind(sale.company, 'groupbuy')
                    payment = Payment(
                        sale=sale, method=method, sale_line=line,
                        amount=None, groupbuy_voucher=None)
                if payment.amount != line.amount:
                    payment.amount = line.amount
                if payment.groupbuy_voucher != line.groupbuy_voucher:
                    payment.groupbuy_voucher = line.groupbuy_voucher
                if payment._values:
                    to_save.append(payment)
            to_delete.extend(existing.values())
        if to_delete:
            Payment.delete(to_delete)
        if to_save:
            Payment.save(to_save)
        return bool(lines or to_delete or to_save)

    # --- processing ------------------------------------------------------

    @classmethod
    def do(cls, sales):
        """Lock the vouchers of the sales first: of two checkouts of the same
        code, the second waits and finds it redeemed. They are asked with
        the sales' and the tenders' locks (beauty_pos), at once."""
        cls.lock_for_processing(sales)
        sales = cls.browse([s.id for s in sales])
        super().do(sales)

    @classmethod
    def _tender_locks(cls, sales):
        pool = Pool()
        Voucher = pool.get('beauty.groupbuy.voucher')
        locks = super()._tender_locks(sales)
        vouchers = sorted({l.groupbuy_voucher.id
                for s in sales for l in s.lines if l.groupbuy_voucher})
        if vouchers:
            locks.append((Voucher, vouchers))
        return locks

    def check_checkout(self):
        if not self.returned_sale:
            self.check_groupbuy()
        super().check_checkout()

    def check_groupbuy(self):
        "The vouchers of the sale may be redeemed, each once, on its line"
        seen = set()
        lines = [l for l in self.lines if l.groupbuy_voucher]
        if lines and not self.customer:
            raise VoucherError(gettext(
                    'beauty_groupbuy.msg_voucher_customer_required',
                    code=lines[0].groupbuy_voucher.code))
        for line in lines:
            voucher = line.groupbuy_voucher
            if voucher.id in seen:
                raise VoucherError(gettext(
                        'beauty_groupbuy.msg_voucher_on_sale',
                        code=voucher.code))
            seen.add(voucher.id)
            voucher.check_usable(self.date, self.company, line.product)
            if line.quantity != 1:
                raise VoucherError(gettext(
                        'beauty_groupbuy.msg_voucher_quantity',
                        code=voucher.code, service=line.product.rec_name))
            if line.package_line:
                raise VoucherError(gettext(
                        'beauty_groupbuy.msg_voucher_package',
                        code=voucher.code, service=line.product.rec_name))
        for payment in self.payments:
            if payment.method.kind != 'groupbuy':
                continue
            line = payment.sale_line
            if (not line or not line.groupbuy_voucher
                    or payment.amount != line.amount):
                raise VoucherError(gettext(
                        'beauty_groupbuy.msg_voucher_payment_line',
                        payment=payment.rec_name))

    @classmethod
    def allocate(cls, sales):
        """The lines paid by a voucher are paid by it alone; the other
        tenders are spread over the other lines (beauty_pos)"""
        pool = Pool()
        Line = pool.get('sale.point.sale.line')
        voucher_lines = []
        for sale in sales:
            paid = {p.sale_line.id: p for p in sale.payments
                if p.method.kind == 'groupbuy' and p.sale_line}
            if not paid:
                continue
            lines = [l for l in sale.lines if l.id in paid]
            voucher_lines.extend((l, paid[l.id]) for l in lines)
            sale.lines = [l for l in sale.lines if l.id not in paid]
            sale.payments = [p for p in sale.payments
                if p.method.kind != 'groupbuy']
        super().allocate(sales)
        to_save = []
        for line, payment in voucher_lines:
            currency = line.sale.currency
            zero = currency.round(ZERO)
            amount = currency.round(payment.amount)
            line.paid_groupbuy = amount
            line.paid_money = line.paid_card = line.paid_package = zero
            line.paid_coupon = line.paid_points = zero
            line.cash_performance = zero
            line.consumption_performance = amount
            to_save.append(line)
        Line.save(to_save)

    @classmethod
    def _apply_tenders(cls, sales):
        cls._redeem_vouchers(sales)
        super()._apply_tenders(sales)

    @classmethod
    def _redeem_vouchers(cls, sales):
        """Redeem the vouchers paying the sales; the first voucher of a new
        customer (no earlier sale) records her acquisition platform"""
        pool = Pool()
        Voucher = pool.get('beauty.groupbuy.voucher')
        Party = pool.get('party.party')
        Sale = pool.get('sale.point.sale')
        now = dt.datetime.now()
        user = Transaction().user
        first = {}
        for sale in sales:
            for payment in sale.payments:
                if payment.method.kind != 'groupbuy':
                    continue
                line = payment.sale_line
                voucher = line.groupbuy_voucher
                Voucher.redeem(voucher, {
                        'sale': sale.id,
                        'sale_line': line.id,
                        'payment': payment.id,
                        'customer': sale.customer.id,
                        'date': sale.date,
                        'redeemed_at': now,
                        'redeemed_by': user,
                        'amount': payment.amount,
                        'fee': voucher.deal.fee_for(payment.amount),
                        })
                customer = sale.customer
                if (not customer.groupbuy_platform
                        and customer.id not in first):
                    first[customer.id] = (voucher, sale.date)
        if first:
            sale_ids = [s.id for s in sales]
            known = {s.customer.id for s in Sale.search([
                        ('customer', 'in', list(first)),
                        ('state', 'in', ['done', 'posted']),
                        ('id', 'not in', sale_ids),
                        ])}
            to_write = []
            for customer, (voucher, date) in first.items():
                if customer in known:
                    continue
                to_write.extend(([Party(customer)], {
                            'groupbuy_platform': voucher.platform.id,
                            'groupbuy_voucher': voucher.id,
                            'groupbuy_date': date,
                            }))
            if to_write:
                Party.write(*to_write)

    @classmethod
    def _apply_returns(cls, sales):
        pool = Pool()
        Voucher = pool.get('beauty.groupbuy.voucher')
        super()._apply_returns(sales)
        for sale in sales:
            for payment in sale.payments:
                source = payment.returned_payment
                if (payment.method.kind == 'groupbuy' and source
                        and source.groupbuy_voucher):
                    Voucher.restore(source.groupbuy_voucher, source.sale)

    @classmethod
    def make_return(cls, sale, quantities, method, date=None):
        """The lines paid by a voucher are returned on a return sale of
        their own (the voucher payment reversed, the voucher valid again)"""
        pool = Pool()
        Line = pool.get('sale.point.sale.line')
        vouchers, others = {}, {}
        for line, quantity in (quantities or {}).items():
            line = Line(int(line))
            if line.groupbuy_voucher and line.sale == sale:
                vouchers[line] = quantity
            else:
                others[line] = quantity
        if not vouchers:
            return super().make_return(sale, quantities, method, date=date)
        result = None
        if others:
            result = super().make_return(sale, others, method, date=date)
        return cls._return_groupbuy(sale, vouchers, date) or result

    @classmethod
    def _return_groupbuy(cls, sale, quantities, date=None):
        pool = Pool()
        Line = pool.get('sale.point.sale.line')
        Payment = pool.get('sale.point.payment')
        Employee = pool.get('sale.point.sale.line.employee')
        Date = pool.get('ir.date')
        if sale.state not in {'done', 'posted'} or sale.returned_sale:
            raise ReturnError(gettext(
                    'beauty_pos.msg_return_state', sale=sale.rec_name))
        cls.lock([sale])
        with Transaction().set_context(company=sale.company.id):
            date = date or Date.today()
        sources = {p.sale_line: p for p in sale.payments
            if p.method.kind == 'groupbuy'}
        ret = cls(point=sale.point, company=sale.company,
            customer=sale.customer, date=date, returned_sale=sale,
            employee=sale.employee)
        ret.save()
        new_lines, payments = [], []
        for line, quantity in quantities.items():
            returnable = line.quantity - line.returned_quantity()
            if quantity != returnable:
                raise ReturnError(gettext(
                        'beauty_groupbuy.msg_return_voucher_whole',
                        line=line.rec_name, code=line.groupbuy_voucher.code))
            new = Line(sale=ret, product=line.product, quantity=-quantity,
                unit_list_price=line.unit_list_price,
                unit_gross_price=line.unit_gross_price, kind=line.kind,
                returned_line=line, groupbuy_voucher=line.groupbuy_voucher,
                base_price=line.base_price, discount=line.discount,
                employees=[Employee(employee=e.employee, share=e.share)
                    for e in line.employees])
            new_lines.append(new)
        Line.save(new_lines)
        for line, new in zip(quantities, new_lines):
            source = sources[line]
            payments.append(Payment(
                    sale=ret, method=source.method, sale_line=new,
                    groupbuy_voucher=source.groupbuy_voucher,
                    amount=-source.amount, returned_payment=source))
        Payment.save(payments)
        cls.do([cls(ret.id)])
        return cls(ret.id)


class POSSaleLine(metaclass=PoolMeta):
    __name__ = 'sale.point.sale.line'

    groupbuy_voucher = fields.Many2One(
        'beauty.groupbuy.voucher', "Group-buy Voucher", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('deal.services', '=', Eval('product', -1)),
            # a return gives back a voucher that was redeemed
            If((Eval('sale_state') == 'open') & ~Eval('returned_line'),
                ('state', '=', 'valid'), ()),
            ],
        states={
            'invisible': Eval('kind') != 'service',
            'readonly': Eval('sale_state') != 'open',
            },
        help="The voucher paying this service (or type its code in the "
        "\"Group-buy Code\" of the sale).")
    paid_groupbuy = Monetary(
        "Paid by Group-buy Voucher", currency='currency',
        digits='currency', readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.groupbuy_voucher, Index.Range()),
                where=t.groupbuy_voucher != None))  # noqa: E711

    @fields.depends('groupbuy_voucher', 'product', 'quantity',
        methods=['_set_gross_price', 'on_change_with_unit_price',
            'on_change_with_price', 'on_change_with_amount'])
    def on_change_product(self):
        super().on_change_product()
        voucher = self.groupbuy_voucher
        if voucher:
            if self.product not in voucher.deal.services:
                self.groupbuy_voucher = None
                return
            self.discount = None
            self._set_gross_price(voucher.deal.price)
            self.unit_price = self.on_change_with_unit_price()
            self.price = self.on_change_with_price()
            self.amount = self.on_change_with_amount()

    @fields.depends(methods=['on_change_product'])
    def on_change_groupbuy_voucher(self):
        self.on_change_product()

    @classmethod
    def on_modification(cls, mode, lines, field_names=None):
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        super().on_modification(mode, lines, field_names=field_names)
        if Transaction().context.get('_beauty_pos_no_payment_sync'):
            # the caller syncs the payments of the sales once, at its end
            return
        if mode == 'create' or (
                mode == 'write' and 'groupbuy_voucher' in field_names):
            sales = {l.sale for l in lines
                if l.sale.state == 'open' and not l.sale.returned_sale
                and (l.groupbuy_voucher or mode == 'write')}
            if sales:
                Sale.sync_groupbuy_payments(Sale.browse(list(sales)))

    @classmethod
    def copy(cls, lines, default=None):
        default = default.copy() if default else {}
        default.setdefault('groupbuy_voucher')
        default.setdefault('paid_groupbuy')
        return super().copy(lines, default=default)


class POSPayment(metaclass=PoolMeta):
    __name__ = 'sale.point.payment'

    groupbuy_voucher = fields.Many2One(
        'beauty.groupbuy.voucher', "Group-buy Voucher", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': Eval('kind') != 'groupbuy',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        _add_kind(cls.kind)
        # the voucher payments follow the codes typed on the sale
        cls.method.domain = [
            cls.method.domain,
            If(Eval('kind') != 'groupbuy',
                ('kind', '!=', 'groupbuy'), ()),
            ]
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.groupbuy_voucher, Index.Range()),
                where=t.groupbuy_voucher != None))  # noqa: E711

    @classmethod
    def copy(cls, payments, default=None):
        default = default.copy() if default else {}
        default.setdefault('groupbuy_voucher')
        return super().copy(payments, default=default)

    @classmethod
    def check_modification(cls, mode, payments, values=None, external=False):
        super().check_modification(
            mode, payments, values=values, external=external)
        if mode == 'write' and external and 'groupbuy_voucher' in values:
            raise AccessError(gettext(
                    'beauty_groupbuy.msg_payment_voucher_auto'))
