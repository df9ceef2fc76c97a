# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSQL
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from beauty_customer.mobile import mask_mobile, normalize_mobile
from beauty_customer.party import age_bracket, age_on


# Models only some roles may read (the others have no row granting them)
RESTRICTED = {
    # old and new values of the archive (full mobiles...), for the manager
    'beauty.audit': ['salon_admin', 'manager'],
    }


class BeautyCustomerTestCase(ModuleTestCase):
    "Test beauty_customer module"
    module = 'beauty_customer'

    def test_normalize_mobile(self):
        "Mobiles are normalised to E.164 and wrong ones refused"
        self.assertEqual(normalize_mobile('138 1234 5678'), '+8613812345678')
        self.assertEqual(
            normalize_mobile('+86-139-0000-1111'), '+8613900001111')
        self.assertEqual(normalize_mobile('0086 13900001111'),
            '+8613900001111')
        for wrong in ['12345678901', '1381234567', '138123456789', 'abc',
                '021-12345678', '']:
            self.assertIsNone(normalize_mobile(wrong), wrong)

    def test_mask_mobile(self):
        "Masked mobiles keep the first three and the last four digits"
        self.assertEqual(mask_mobile('+8613812345678'), '138****5678')
        self.assertEqual(mask_mobile(None), '')

    def test_age_bracket(self):
        "Age and bracket on a given day, birthdays included"
        today = dt.date(2026, 11, 22)
        self.assertEqual(age_on(dt.date(1996, 11, 22), today), 30)
        self.assertEqual(age_on(dt.date(1996, 11, 23), today), 29)
        self.assertEqual(age_bracket(29), '20_29')
        self.assertEqual(age_bracket(19), 'under_20')
        self.assertEqual(age_bracket(65), '60_plus')
        self.assertIsNone(age_bracket(None))

    @with_transaction()
    def test_customer_code_sequence(self):
        "New customers are numbered C000001..."
        pool = Pool()
        Party = pool.get('party.party')
        company = create_company()
        with set_company(company):
            party, = Party.create([{'name': "王丽", 'mobile': '13812345678'}])
            self.assertRegex(party.code, r'^C\d{6}$')
            self.assertEqual(party.mobile, '+8613812345678')

    @with_transaction()
    def test_search_age_bracket(self):
        "The age bracket is searchable"
        pool = Pool()
        Party = pool.get('party.party')
        today = dt.date.today()
        young, older = Party.create([{
                    'name': "A", 'birthday': today.replace(
                        year=today.year - 25, day=1)}, {
                    'name': "B", 'birthday': today.replace(
                        year=today.year - 45, day=1)}])
        self.assertEqual(
            Party.search([('age_bracket', '=', '20_29')]), [young])
        self.assertEqual(
            Party.search([('age_bracket', 'in', ['40_49', '60_plus'])]),
            [older])

    @with_transaction()
    def test_access_rows(self):
        "Every model of the module is denied by default and granted per role"
        pool = Pool()
        IrModel = pool.get('ir.model')
        Access = pool.get('ir.model.access')
        ModelData = pool.get('ir.model.data')
        roles = {ModelData.get_id('beauty_customer', 'group_%s' % g)
            for g in ['salon_admin', 'manager', 'frontdesk', 'beautician',
                'accountant']}
        models = [
            m.name for m in IrModel.search(
                [('module', '=', 'beauty_customer')])
            if issubclass(pool.get(m.name), ModelSQL)
            and not callable(getattr(pool.get(m.name), 'table_query', None))]
        self.assertIn('beauty.care.record', models)
        for model in models:
            with self.subTest(model=model):
                rows = Access.search([('model', '=', model)])
                defaults = [r for r in rows if not r.group]
                self.assertEqual(len(defaults), 1, "no default row")
                default, = defaults
                self.assertFalse(
                    default.perm_read or default.perm_write
                    or default.perm_create or default.perm_delete,
                    "default row is not a denial")
                granted = {r.group.id for r in rows
                    if r.group and r.perm_read}
                readers = roles
                if model in RESTRICTED:
                    readers = {ModelData.get_id('beauty_customer', 'group_%s' % g)
                        for g in RESTRICTED[model]}
                    self.assertEqual(granted & roles, readers,
                        "another role can read it")
                self.assertEqual(granted & readers, readers,
                    "a role cannot read it")

    @with_transaction()
    def test_access_per_role(self):
        "What each role may do with the archive"
        pool = Pool()
        Access = pool.get('ir.model.access')
        ModelData = pool.get('ir.model.data')

        def access(group, model):
            group_id = ModelData.get_id('beauty_customer', 'group_' + group)
            with Transaction().set_context(_groups=(group_id,)):
                perms = Access.get_access([model])[model]
            return ''.join(
                k[0].upper() if perms[k] else '-'
                for k in ['read', 'write', 'create', 'delete'])

        expected = {
            ('frontdesk', 'party.party'): 'RWC-',
            ('frontdesk', 'party.contact_mechanism'): 'RWCD',
            ('frontdesk', 'party.address'): 'RWCD',
            ('frontdesk', 'party.category'): 'R---',
            ('frontdesk', 'party.party-party.category'): 'RWCD',
            ('frontdesk', 'party.party-beauty.skin.concern'): 'RWCD',
            ('frontdesk', 'beauty.consultation'): 'RWC-',
            ('frontdesk', 'beauty.consultation.answer'): 'RWCD',
            ('frontdesk', 'beauty.feedback'): 'RWC-',
            ('frontdesk', 'beauty.customer.source'): 'R---',
            ('beautician', 'party.party'): 'R---',
            ('beautician', 'beauty.care.record'): 'RWC-',
            ('beautician', 'beauty.care.record-product.product'): 'RWCD',
            ('beautician', 'beauty.feedback'): 'R---',
            ('beautician', 'beauty.care.plan'): 'R---',
            ('accountant', 'party.party'): 'R---',
            ('accountant', 'beauty.care.record'): 'R---',
            ('accountant', 'beauty.care.plan'): 'R---',
            ('manager', 'beauty.care.record'): 'RWCD',
            ('manager', 'party.category'): 'RWCD',
            ('salon_admin', 'beauty.consultation.template'): 'RWCD',
            ('salon_admin', 'beauty.contraindication'): 'RWCD',
            ('frontdesk', 'beauty.consultation.template'): 'R---',
            }
        for (group, model), perms in expected.items():
            with self.subTest(group=group, model=model):
                self.assertEqual(access(group, model), perms)

    @with_transaction()
    def test_zh_cn_overrides(self):
        "With Chinese loaded, the salon's wording replaces Tryton's"
        pool = Pool()
        Lang = pool.get('ir.lang')
        IrModel = pool.get('ir.model')
        Menu = pool.get('ir.ui.menu')
        ModelData = pool.get('ir.model.data')
        Party = pool.get('party.party')
        Translation = pool.get('ir.translation')
        zh, = Lang.search([('code', '=', 'zh_CN')])

        Lang.load_translations([zh])
        # a second load (update of the modules) keeps working
        Lang.load_translations([zh])

        with Transaction().set_context(language='zh_CN'):
            self.assertEqual(IrModel.get_name('party.party'), "客户")
            fields = Party.fields_get(['name', 'code', 'categories', 'mobile'])
            self.assertEqual(
                [fields[n]['string']
                    for n in ['name', 'code', 'categories', 'mobile']],
                ["姓名", "客户编号", "标签", "手机"])
            menu = Menu(ModelData.get_id('party', 'menu_party'))
            self.assertEqual(menu.name, "客户")
            self.assertEqual(
                gettext('party.msg_erase_active_party', party="王丽"),
                "客户“王丽”仍处于有效状态，不能删除其个人信息：请先停用该客户。")
            # this module's own strings
            self.assertEqual(
                Party.fields_get(['skin_type'])['skin_type']['string'],
                "肤质")
            self.assertEqual(
                Menu(ModelData.get_id(
                        'beauty_customer', 'menu_customer_form')).name,
                "客户档案")
        overridden = Translation.search([
                ('lang', '=', 'zh_CN'),
                ('overriding_module', '=', 'beauty_customer'),
                ])
        self.assertTrue(all(not t.fuzzy for t in overridden))
        self.assertGreaterEqual(len(overridden), 50)

    @with_transaction()
    def test_demo(self):
        "The demo data loads at a small scale"
        from beauty_customer import demo
        pool = Pool()
        Company = pool.get('company.company')
        Employee = pool.get('company.employee')
        Party = pool.get('party.party')
        Product = pool.get('product.product')
        CareRecord = pool.get('beauty.care.record')
        Consultation = pool.get('beauty.consultation')
        Feedback = pool.get('beauty.feedback')
        User = pool.get('res.user')

        demo.load(scale=0.02)

        stores = Company.search([])
        self.assertEqual(
            sorted(s.rec_name for s in stores),
            ["丽颜美容 万达店", "丽颜美容 旗舰店"])
        self.assertEqual({s.currency.code for s in stores}, {'CNY'})
        admin, = User.search([('login', '=', 'admin')])
        self.assertEqual(set(admin.companies), set(stores))
        self.assertEqual(len(Employee.search([])), len(demo.STAFF))
        services = Product.search([('type', '=', 'service')])
        self.assertEqual(
            len(services), sum(len(s) for s in demo.SERVICES.values()))
        customers = Party.search([('code', 'like', 'C%')])
        self.assertEqual(len(customers), 60)
        self.assertEqual(len({c.mobile for c in customers}), 60)
        self.assertGreater(
            len([c for c in customers if c.gender == 'female']), 45)
        self.assertTrue(all(c.source and c.birthday for c in customers))
        records = CareRecord.search([])
        self.assertGreater(len(records), 60)
        today = dt.date.today()
        self.assertTrue(all(
                today - dt.timedelta(days=365) <= r.date <= today
                for r in records))
        self.assertTrue(Consultation.search([]))
        self.assertTrue(all(
                r.beautician.company == r.company for r in records))
        self.assertTrue(Feedback.search([]))

    @with_transaction()
    def test_batched_names(self):
        "Names of parties, stores and staff read in one query are right"
        pool = Pool()
        Party = pool.get('party.party')
        Employee = pool.get('company.employee')
        Company = pool.get('company.company')
        company = create_company()
        with set_company(company):
            staff = Party(name="李美丽")
            staff.save()
            employee = Employee(party=staff, company=company)
            employee.save()
        self.assertEqual(employee.rec_name, "李美丽")
        self.assertEqual(Company(company.id).rec_name, company.party.name)
        (values,) = Employee.read([employee.id], ['rec_name', 'party.rec_name'])
        self.assertEqual(values['rec_name'], "李美丽")
        with Transaction().set_context(language='en'):
            rows = Party.read([staff.id], ['gender:string', 'name'])
        self.assertEqual([r['gender:string'] for r in rows], [''])
        self.assertEqual(set(rows[0]), {'id', 'name', 'gender:string'})
        staff.gender = 'female'
        staff.save()
        (row,) = Party.read([staff.id], ['gender:string'])
        self.assertEqual(row['gender:string'], 'Female')
        self.assertEqual(set(row), {'id', 'gender:string'})

    @with_transaction()
    def test_list_export(self):
        "A list exports as .xlsx with the columns and titles of its view"
        from io import BytesIO

        from openpyxl import load_workbook

        from beauty_customer import demo
        pool = Pool()
        CareRecord = pool.get('beauty.care.record')
        ActionReport = pool.get('ir.action.report')
        ListExport = pool.get('beauty.list.xlsx', type='report')
        demo.load(scale=0.02)
        user = pool.get('res.user')(Transaction().user)
        records = CareRecord.search([('company', '=', user.company.id)],
            order=[('date', 'DESC')], limit=5)
        action, = ActionReport.search([
                ('report_name', '=', 'beauty.list.xlsx'),
                ('model', '=', 'beauty.care.record'),
                ])
        extension, content, _, name = ListExport.execute(
            [r.id for r in records], {
                'action_id': action.id, 'model': 'beauty.care.record'})
        self.assertEqual(extension, 'xlsx')
        sheet = load_workbook(BytesIO(content)).active
        rows = list(sheet.values)
        self.assertEqual(len(rows), 1 + len(records))
        header = rows[0]
        titles = {n: d['string'] for n, d in CareRecord.fields_get(
                ['customer', 'date', 'beautician']).items()}
        self.assertEqual(header[:3], (
                titles['date'], titles['customer'], titles['beautician']))
        customers = [r[header.index(titles['customer'])] for r in rows[1:]]
        self.assertEqual(customers, [r.customer.rec_name for r in records])


del ModuleTestCase
