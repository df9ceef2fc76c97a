# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"Set-up shared by the scenarios of beauty_pos (through proteus)"
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from proteus import Model, Wizard
from trytond.modules.company.tests.tools import create_company, get_company


def create_cny(config=None):
    Currency = Model.get('currency.currency', config=config)
    currencies = Currency.find([('code', '=', 'CNY')])
    if currencies:
        return currencies[0]
    currency = Currency(
        name="人民币", code='CNY', symbol='¥', digits=2,
        rounding=Decimal('0.01'))
    currency.save()
    return currency


def create_salon_company(config=None):
    "A store with CNY (for activate_modules' set-up)"
    return create_company(currency=create_cny(config), config=config)


def setup_salon(first=None, config=None):
    """The checkout of the store: accounts, fiscal years, point of sale,
    payment methods (setup wizard), a service category, two services, a
    product, member levels, a beautician and a customer"""
    Account = Model.get('account.account', config=config)
    Category = Model.get('product.category', config=config)
    Template = Model.get('product.template', config=config)
    Uom = Model.get('product.uom', config=config)
    Level = Model.get('beauty.member.level', config=config)
    Party = Model.get('party.party', config=config)
    Employee = Model.get('company.employee', config=config)
    Method = Model.get('sale.point.payment.method', config=config)
    Point = Model.get('sale.point', config=config)

    company = get_company(config=config)
    today = dt.date.today()
    setup = Wizard('beauty.pos.setup', config=config)
    setup.form.first_date = first or (today - dt.timedelta(days=400))
    setup.form.last_date = today + dt.timedelta(days=60)
    setup.execute('setup')

    revenue, = Account.find([
            ('type.revenue', '=', True),
            ('closed', '!=', True),
            ('code', '!=', None),
            ], limit=1, order=[('code', 'ASC')])
    category = Category(name="护理项目", accounting=True)
    category.account_revenue = revenue
    category.save()
    unit, = Uom.find([('name', '=', 'Unit')])

    def product(name, price, type_='service'):
        template = Template(
            name=name, type=type_, salable=True, default_uom=unit,
            account_category=category)
        template.list_price = Decimal(price)
        template.gross_price = Decimal(price)
        template.save()
        return template.products[0]

    facial = product("补水护理", '300')
    massage = product("肩颈按摩", '200')
    serum = product("玻尿酸精华", '150', type_='goods')

    normal = Level(name="普通会员", sequence=10, discount=Decimal(0),
        points_rate=Decimal(1), upgrade_threshold=Decimal(0))
    normal.save()
    silver = Level(name="银卡", sequence=20, discount=Decimal('0.05'),
        points_rate=Decimal('1.2'), upgrade_threshold=Decimal(2000))
    silver.save()
    gold = Level(name="金卡", sequence=30, discount=Decimal('0.12'),
        points_rate=Decimal('1.5'), upgrade_threshold=Decimal(10000))
    gold.save()

    party = Party(name="李美容")
    party.save()
    beautician = Employee(party=party, company=company)
    beautician.save()
    customer = Party(name="王丽", mobile="13812345678")
    customer.save()

    methods = {m.kind: m for m in Method.find([])}
    point, = Point.find([])
    return SimpleNamespace(
        company=company, point=point, methods=methods, category=category,
        facial=facial, massage=massage, serum=serum, revenue=revenue,
        levels=SimpleNamespace(normal=normal, silver=silver, gold=gold),
        beautician=beautician, customer=customer)


def account_balance(code, config=None):
    "Debit - credit of the posted moves on the account of code"
    Account = Model.get('account.account', config=config)
    account, = Account.find([('code', '=', code)])
    return account.debit - account.credit


def load_demo_database(module, demos, scale):
    """Activate the module in the test database and load the demo data of
    the modules named in demos, in that order and as tools/demo.py does
    (Chinese made translatable, each demo in its own transaction with the
    admin's preferences); return the id of the first store."""
    import importlib

    from trytond.pool import Pool
    from trytond.tests import test_tryton
    from trytond.transaction import Transaction

    test_tryton.activate_module(module)
    with Transaction().start(test_tryton.DB_NAME, 0):
        # the demo users speak Chinese
        Lang = Pool().get('ir.lang')
        Lang.write(Lang.search([('code', '=', 'zh_CN')]), {
                'translatable': True})
    for name in demos:
        demo = importlib.import_module('%s.demo' % name)
        with Transaction().start(test_tryton.DB_NAME, 0) as transaction:
            User = Pool().get('res.user')
            context = User.get_preferences(context_only=True)
            context.pop('language', None)
            with transaction.set_context(_skip_warnings=True, **context):
                demo.load(scale=scale)
    with Transaction().start(test_tryton.DB_NAME, 0):
        Company = Pool().get('company.company')
        return Company.search([], order=[('id', 'ASC')])[0].id
