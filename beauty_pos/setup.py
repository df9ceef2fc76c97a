# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Set up the checkout accounting of a store in one step.

For a store (company) without accounts: the chart of accounts from Tryton's
minimal template (through the create chart wizard), fiscal years with their
periods, the salon's accounts (prepaid card and package liabilities, card
bonus, coupon and points discounts, forfeited balances, WeChat Pay, Alipay
and bank card clearing), a point of sale, the payment methods of every
tender, the top-up product and the checkout configuration. Everything already
there is kept: running it twice changes nothing.
"""
import datetime as dt
from decimal import Decimal

from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

CHART = 'account.account_template_root_en'
# code, name, parent code, kind of account to copy the type from
ACCOUNTS = [
    ('1.1.5', "微信支付待结算 (WeChat Pay Clearing)", '1.1.0', 'cash'),
    ('1.1.6', "支付宝待结算 (Alipay Clearing)", '1.1.0', 'cash'),
    ('1.1.7', "银行卡待结算 (Bank Card Clearing)", '1.1.0', 'cash'),
    ('2.2.5', "预收账款-储值卡 (Prepaid Card Liability)", '2.2.0',
        'unearned'),
    ('2.2.6', "预收账款-疗程卡 (Prepaid Package Liability)", '2.2.0',
        'unearned'),
    ('card_bonus', "充值赠送 (Card Bonus)", None, 'revenue'),
    ('coupon', "优惠券折扣 (Coupon Discount)", None, 'revenue'),
    ('points', "积分抵扣 (Points Redemption)", None, 'revenue'),
    ('breakage', "预付款未退余额收入 (Forfeited Prepaid Balances)", None,
        'revenue'),
    ]
METHODS = [
    ('cash', "现金 (Cash)", '1.1.1'),
    ('wechat', "微信支付 (WeChat Pay)", '1.1.5'),
    ('alipay', "支付宝 (Alipay)", '1.1.6'),
    ('bank', "银行卡 (Bank Card)", '1.1.7'),
    ('card', "储值卡 (Stored-value Card)", '2.2.5'),
    ('package', "次卡划扣 (Package Session)", '2.2.6'),
    ('coupon', "优惠券 (Coupon)", 'coupon'),
    ('points', "积分 (Points)", 'points'),
    ]


def local_name(name):
    """The Chinese or the English part of name ("现金 (Cash)") by the
    language of the transaction: a Chinese salon reads 现金 alone"""
    chinese, _, english = name.partition(' (')
    if not english:
        return name
    if (Transaction().language or '').startswith('zh'):
        return chinese
    return english[:-1]


def create_chart(company):
    "The minimal chart of accounts, through Tryton's create chart wizard"
    pool = Pool()
    Account = pool.get('account.account')
    ModelData = pool.get('ir.model.data')
    CreateChart = pool.get('account.create_chart', type='wizard')
    if Account.search([('company', '=', company.id)], limit=1):
        return False
    try:
        template = ModelData.get_id(CHART)
    except KeyError:
        # the English charts are loaded only where English is a language of
        # the database (not on a database created in Chinese)
        create_minimal_chart(company)
        return True
    session_id, _, _ = CreateChart.create()
    try:
        CreateChart.execute(session_id, {
                'account': {
                    'account_template': template,
                    'company': company.id,
                    },
                }, 'create_account')
        receivable = Account.search([
                ('company', '=', company.id),
                ('type.receivable', '=', True),
                ('closed', '!=', True),
                ], limit=1)
        payable = Account.search([
                ('company', '=', company.id),
                ('type.payable', '=', True),
                ('closed', '!=', True),
                ], limit=1)
        CreateChart.execute(session_id, {
                'account': {
                    'account_template': template,
                    'company': company.id,
                    },
                'properties': {
                    'company': company.id,
                    'account_receivable': (
                        receivable[0].id if receivable else None),
                    'account_payable': payable[0].id if payable else None,
                    },
                }, 'create_properties')
    finally:
        CreateChart.delete(session_id)
    return True


# code, name, parent code, type key (None: a view)
MINIMAL_ACCOUNTS = [
    ('1', "资产 (Assets)", None, None),
    ('1.1.0', "流动资产 (Current Assets)", '1', None),
    ('1.1.1', "库存现金 (Cash)", '1.1.0', 'cash'),
    ('1.1.2', "应收账款 (Accounts Receivable)", '1.1.0', 'receivable'),
    ('2', "负债 (Liabilities)", None, None),
    ('2.2.0', "流动负债 (Current Liabilities)", '2', None),
    ('2.2.1', "应付账款 (Accounts Payable)", '2.2.0', 'payable'),
    ('2.2.2', "预收账款 (Unearned Revenue)", '2.2.0', 'unearned'),
    ('3', "所有者权益 (Equity)", None, 'equity'),
    ('4', "主营业务收入 (Revenue)", None, 'revenue'),
    ('5', "费用 (Expenses)", None, 'expense'),
    ]


def create_minimal_chart(company):
    """The accounts the checkout needs, by the codes of Tryton's minimal
    chart, when no chart template is loaded"""
    pool = Pool()
    Type = pool.get('account.account.type')
    Account = pool.get('account.account')
    Configuration = pool.get('account.configuration')
    root, = Type.create([{
                'name': local_name("科目类型 (Account Types)"),
                'company': company.id}])
    balance, income = Type.create([{
                'name': local_name("资产负债表 (Balance Sheet)"),
                'company': company.id,
                'parent': root.id, 'statement': 'balance',
                }, {
                'name': local_name("利润表 (Income Statement)"),
                'company': company.id,
                'parent': root.id, 'statement': 'income',
                }])
    types = dict(zip(
            ['cash', 'receivable', 'payable', 'unearned', 'equity',
                'revenue', 'expense'],
            Type.create([{
                        'name': local_name(name), 'company': company.id,
                        'parent': (income if statement == 'income'
                            else balance).id,
                        'statement': statement, **flags,
                        } for name, statement, flags in [
                        ("现金 (Cash)", 'balance', {'assets': True}),
                        ("应收 (Receivable)", 'balance',
                            {'assets': True, 'receivable': True}),
                        ("应付 (Payable)", 'balance', {'payable': True}),
                        ("预收 (Unearned Revenue)", 'balance', {}),
                        ("权益 (Equity)", 'balance', {}),
                        ("收入 (Revenue)", 'income', {'revenue': True}),
                        ("费用 (Expenses)", 'income', {'expense': True}),
                        ]])))
    accounts = {}
    for code, name, parent, type_ in MINIMAL_ACCOUNTS:
        accounts[code], = Account.create([{
                    'company': company.id, 'code': code,
                    'name': local_name(name),
                    'parent': accounts[parent].id if parent else None,
                    'type': types[type_].id if type_ else None,
                    'reconcile': type_ in {'receivable', 'payable'},
                    'party_required': type_ in {'receivable', 'payable'},
                    }])
    config = Configuration(1)
    with Transaction().set_context(company=company.id):
        config.default_account_receivable = accounts['1.1.2']
        config.default_account_payable = accounts['2.2.1']
        config.save()


def ensure_fiscal_years(company, first, last):
    "Fiscal years (calendar years) with monthly periods covering the dates"
    pool = Pool()
    FiscalYear = pool.get('account.fiscalyear')
    Sequence = pool.get('ir.sequence.strict')
    ModelData = pool.get('ir.model.data')
    created = []
    for year in range(first.year, last.year + 1):
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if FiscalYear.search([
                    ('company', '=', company.id),
                    ('start_date', '<=', end),
                    ('end_date', '>=', start),
                    ], limit=1):
            continue
        sequence = Sequence(
            name=str(year), company=company,
            sequence_type=ModelData.get_id(
                'account', 'sequence_type_account_move'))
        sequence.save()
        fiscalyear = FiscalYear(
            name=str(year), company=company, start_date=start,
            end_date=end, move_sequence=sequence)
        if 'invoice_sequences' in FiscalYear._fields:
            fiscalyear.invoice_sequences = []
        fiscalyear.save()
        created.append(fiscalyear)
    if created:
        FiscalYear.create_period(created)
    return created


def _find(company, code):
    pool = Pool()
    Account = pool.get('account.account')
    accounts = Account.search([
            ('company', '=', company.id), ('code', '=', code)], limit=1)
    return accounts[0] if accounts else None


def setup_accounts(company):
    "The salon's accounts, by code; returns {code: account}"
    pool = Pool()
    Account = pool.get('account.account')
    result = {}
    cash = _find(company, '1.1.1')
    unearned = _find(company, '2.2.2')
    revenue, = Account.search([
            ('company', '=', company.id),
            ('type.revenue', '=', True),
            ('closed', '!=', True),
            ], limit=1, order=[('code', 'ASC')])
    kinds = {'cash': cash, 'unearned': unearned, 'revenue': revenue}
    to_create = []
    for code, name, parent, kind in ACCOUNTS:
        account = _find(company, code)
        if account:
            result[code] = account
            continue
        model = kinds[kind]
        parent_account = (_find(company, parent) if parent
            else model.parent)
        to_create.append((code, Account(
                    company=company, code=code, name=local_name(name),
                    parent=parent_account, type=model.type,
                    reconcile=False, party_required=False)))
    if to_create:
        Account.save([a for _, a in to_create])
    for code, account in to_create:
        result[code] = account
    result['1.1.1'] = cash
    result['revenue'] = revenue
    return result


def setup_store(company, first=None, last=None, point_name=None):
    """Set up the checkout accounting of the store (see the module
    docstring); return {'accounts', 'point', 'methods', 'topup_product'}"""
    pool = Pool()
    Date = pool.get('ir.date')
    Journal = pool.get('account.journal')
    Location = pool.get('stock.location')
    Point = pool.get('sale.point')
    Sequence = pool.get('ir.sequence.strict')
    ModelData = pool.get('ir.model.data')
    Method = pool.get('sale.point.payment.method')
    Configuration = pool.get('beauty.pos.configuration')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    with Transaction().set_context(company=company.id):
        today = Date.today()
        first = first or today.replace(month=1, day=1)
        last = last or today
        create_chart(company)
        ensure_fiscal_years(company, first, last)
        accounts = setup_accounts(company)
        revenue_journal = Journal(ModelData.get_id('account', 'journal_revenue'))
        misc_journal = Journal(ModelData.get_id(
                'account', 'journal_miscellaneous'))

        points = Point.search([('company', '=', company.id)], limit=1)
        if points:
            point, = points
        else:
            sequence = Sequence(
                name=point_name or company.rec_name, company=company,
                sequence_type=ModelData.get_id(
                    'sale_point', 'sequence_type_sale'))
            sequence.save()
            storage, = Location.search([('code', '=', 'STO')], limit=1)
            customer, = Location.search([('code', '=', 'CUS')], limit=1)
            point = Point(
                name=point_name or company.rec_name, company=company,
                journal=revenue_journal, sequence=sequence,
                storage_location=storage, return_location=storage,
                customer_location=customer, tax_included=True)
            point.save()

        methods = {}
        existing = {m.kind: m for m in Method.search([
                    ('company', '=', company.id)])}
        to_save = []
        for kind, name, code in METHODS:
            if kind in existing:
                methods[kind] = existing[kind]
                continue
            method = Method(
                company=company, name=local_name(name), kind=kind,
                cash=kind == 'cash',
                account=accounts[code])
            methods[kind] = method
            to_save.append(method)
        Method.save(to_save)

        config = Configuration.get_singleton()
        if config is None:
            config, = Configuration.create([{}])
        product = Configuration.get_value(
            'topup_product', company=company, required=False)
        if product is None:
            unit, = Uom.search([('symbol', '=', 'u')], limit=1)
            template, = Template.create([{
                        'name': local_name("储值卡充值 (Card Top-up)"),
                        'type': 'service',
                        'salable': True,
                        'default_uom': unit.id,
                        'sale_uom': unit.id,
                        'list_price': Decimal(0),
                        'products': [('create', [{}])],
                        }])
            product, = template.products
        values = {
            'prepaid_account': accounts['2.2.5'],
            'package_account': accounts['2.2.6'],
            'bonus_account': accounts['card_bonus'],
            'coupon_account': accounts['coupon'],
            'points_account': accounts['points'],
            'breakage_account': accounts['breakage'],
            'journal': misc_journal,
            'topup_product': product,
            }
        for name, value in values.items():
            if config.get_multivalue(name, company=company.id) is None:
                config.set_multivalue(name, value.id, company=company.id)
    return {
        'accounts': accounts,
        'point': point,
        'methods': methods,
        'topup_product': product,
        }


class SetupStart(ModelView):
    "Set up the checkout accounting"
    __name__ = 'beauty.pos.setup.start'
    company = fields.Many2One('company.company', "Store", required=True)
    first_date = fields.Date(
        "From", required=True,
        help="Fiscal years are created from this day's year.")
    last_date = fields.Date("To", required=True)

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_first_date():
        today = Pool().get('ir.date').today()
        return today.replace(month=1, day=1)

    @staticmethod
    def default_last_date():
        return Pool().get('ir.date').today()


class Setup(Wizard):
    "Set up the checkout accounting of a store"
    __name__ = 'beauty.pos.setup'
    start = StateView(
        'beauty.pos.setup.start', 'beauty_pos.setup_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Set Up", 'setup', 'tryton-ok', default=True),
            ])
    setup = StateTransition()

    def transition_setup(self):
        setup_store(
            self.start.company, self.start.first_date, self.start.last_date)
        return 'end'
