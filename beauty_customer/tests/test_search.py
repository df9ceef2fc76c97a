# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"Finding customers: search box, pinyin, indexes (SQLite and PostgreSQL)"
import unittest

from trytond import backend
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

from beauty_customer.party import _query_digits, mobile_digits
from beauty_customer.pinyin import (
    initials, pinyin, search_keys, search_pattern)


class PinyinTestCase(unittest.TestCase):
    "The pinyin helpers"

    def test_pinyin(self):
        "Full pinyin, syllables separated, to order by"
        self.assertEqual(pinyin('张小明'), 'zhang xiao ming')
        self.assertEqual(pinyin(' Li  Na '), 'li na')
        self.assertEqual(pinyin('王 丽'), 'wang li')
        self.assertIsNone(pinyin(''))
        self.assertIsNone(pinyin(None))

    def test_surnames(self):
        "Polyphonic surnames are read as surnames, only in person names"
        self.assertEqual(pinyin('曾小贤'), 'zeng xiao xian')
        self.assertEqual(pinyin('单田芳'), 'shan tian fang')
        self.assertEqual(pinyin('万俟卨'), 'mo qi xie')
        self.assertEqual(pinyin('单人护理', person=False), 'dan ren hu li')

    def test_initials(self):
        self.assertEqual(initials('张小明'), 'zxm')
        self.assertEqual(initials('欧阳娜娜'), 'oynn')
        self.assertEqual(initials('Anna Smith'), 'as')

    def test_search_keys(self):
        "The name, pinyin, initials, syllables and pairs as tokens"
        keys = search_keys('张小明')
        self.assertTrue(keys.startswith(' ') and keys.endswith(' '))
        tokens = keys.split()
        for token in ['张小明', 'zhangxiaoming', 'zxm', 'zhang', 'xiao',
                'ming', '张小', '小明', 'zx', 'xm']:
            self.assertIn(token, tokens)
        self.assertEqual(len(tokens), len(set(tokens)))
        self.assertIsNone(search_keys(' '))

    def test_search_pattern(self):
        "Two characters match a whole token, more any part of a token"
        self.assertEqual(search_pattern('小明'), '% 小明 %')
        self.assertEqual(search_pattern('Xiao Ming'), '%xiaoming%')
        self.assertEqual(search_pattern('50%'), '%50\\%%')
        self.assertIsNone(search_pattern('张'))
        self.assertIsNone(search_pattern(' '))

    def test_pattern_matches_keys(self):
        "Every fragment of a name matches its keys (as LIKE would)"
        import re

        def like(pattern, value):
            regex = ''.join(
                '.*' if c == '%' else re.escape(c)
                for c in pattern.replace('\\%', '\0'))
            return re.fullmatch(regex.replace('\0', '%'), value) is not None

        for name in ['张小明', '欧阳娜娜', 'Li Na', '王 丽华', '迪丽热巴·迪力木拉提']:
            keys = search_keys(name)
            compact = name.replace(' ', '').lower()
            for size in range(2, len(compact) + 1):
                for start in range(len(compact) - size + 1):
                    fragment = compact[start:start + size]
                    self.assertTrue(
                        like(search_pattern(fragment), keys),
                        (name, fragment))

    def test_query_digits(self):
        "What a query means as mobile digits"
        self.assertEqual(_query_digits('5678'), '5678')
        self.assertEqual(_query_digits('138-1234 5678'), '13812345678')
        self.assertEqual(_query_digits('+86 138 1234 5678'), '13812345678')
        self.assertEqual(_query_digits('008613812345678'), '13812345678')
        self.assertEqual(_query_digits('8613812345678'), '13812345678')
        self.assertIsNone(_query_digits('C000123'))
        self.assertIsNone(_query_digits('小明'))
        self.assertEqual(mobile_digits('+8613812345678'), '13812345678')
        self.assertEqual(mobile_digits('+85291234567'), '85291234567')
        self.assertIsNone(mobile_digits(None))


class CustomerSearchTestCase(unittest.TestCase):
    "The search box finds customers by name, pinyin, mobile and code"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('beauty_customer')

    def create_customers(self):
        pool = Pool()
        Party = pool.get('party.party')
        with Transaction().set_context(_skip_warnings=True):
            return Party.create([
                    {'name': "张小明", 'mobile': '13812345678'},
                    {'name': "李娜", 'mobile': '13900001111'},
                    {'name': "曾小贤", 'mobile': '13700002222'},
                    {'name': "王丽华", 'mobile': '15000003333'},
                    {'name': "Anna Smith", 'mobile': '+85291234567'},
                    ])

    def search(self, text, operator='ilike', domain=None):
        Party = Pool().get('party.party')
        clause = ('rec_name', operator, text)
        return set(Party.search([clause] + (domain or [])))

    @with_transaction()
    def test_mobile(self):
        "Any 4+ digits, the last 4, the full number in any form"
        zhang, li, zeng, wang, anna = self.create_customers()
        self.assertEqual(self.search('%5678%'), {zhang})
        self.assertEqual(self.search('%8123%'), {zhang})
        self.assertEqual(self.search('%13812345678%'), {zhang})
        self.assertEqual(self.search('%138 1234 5678%'), {zhang})
        self.assertEqual(self.search('%+86 138-1234-5678%'), {zhang})
        self.assertEqual(self.search('%00002222%'), {zeng})
        self.assertEqual(self.search('%000011%'), {li})
        self.assertEqual(self.search('%91234567%'), {anna})
        self.assertEqual(self.search('%99999999%'), set())

    @with_transaction()
    def test_name(self):
        "Two- and three-character parts of the Chinese name"
        zhang, li, zeng, wang, anna = self.create_customers()
        self.assertEqual(self.search('%小明%'), {zhang})
        self.assertEqual(self.search('%张小明%'), {zhang})
        self.assertEqual(self.search('%小%'), {zhang, zeng})
        self.assertEqual(self.search('%李娜%'), {li})
        self.assertEqual(self.search('%丽华%'), {wang})
        self.assertEqual(self.search('%王 丽%'), {wang})
        self.assertEqual(self.search('%anna%'), {anna})
        self.assertEqual(self.search('%SMITH%'), {anna})
        self.assertEqual(self.search('%明张%'), set())

    @with_transaction()
    def test_pinyin(self):
        "Full pinyin, part of it, initials"
        zhang, li, zeng, wang, anna = self.create_customers()
        self.assertEqual(self.search('%zhangxiaoming%'), {zhang})
        self.assertEqual(self.search('%xiaoming%'), {zhang})
        self.assertEqual(self.search('%Xiao Ming%'), {zhang})
        self.assertEqual(self.search('%zxm%'), {zhang})
        self.assertEqual(self.search('%ZXM%'), {zhang})
        self.assertEqual(self.search('%zengxiaoxian%'), {zeng})
        self.assertEqual(self.search('%zx%'), {zhang, zeng})
        self.assertEqual(self.search('%li%'), {li, wang})
        self.assertEqual(self.search('%wlh%'), {wang})

    @with_transaction()
    def test_code(self):
        "The customer code, whole or its digits"
        pool = Pool()
        Party = pool.get('party.party')
        customers = self.create_customers()
        zhang = customers[0]
        self.assertEqual(self.search('%' + zhang.code + '%'), {zhang})
        self.assertEqual(
            self.search('%' + zhang.code.lower() + '%'), {zhang})
        # digits alone: the number of the code (not every code with 000)
        self.assertEqual(self.search('%' + zhang.code[1:] + '%'), {zhang})
        other, = Party.create([{'name': "供应商", 'code': 'SUP-778899'}])
        self.assertEqual(self.search('%778899%'), {other})
        self.assertEqual(self.search('%sup-77%'), {other})

    @with_transaction()
    def test_negative_and_combined(self):
        "'not ilike' is the complement; other filters still apply"
        zhang, li, zeng, wang, anna = self.create_customers()
        Party = Pool().get('party.party')
        Party.write([zeng], {'gender': 'female'})
        everyone = set(Party.search([]))
        self.assertEqual(
            self.search('%小明%', 'not ilike'), everyone - {zhang})
        self.assertEqual(
            self.search('%5678%', 'not ilike'), everyone - {zhang})
        self.assertEqual(
            self.search('%zx%', domain=[('gender', '=', 'female')]),
            {zeng})
        self.assertEqual(
            set(Party.search(['OR',
                        ('rec_name', 'ilike', '%小明%'),
                        ('rec_name', 'ilike', '%1111%')])),
            {zhang, li})

    @with_transaction()
    def test_other_operators(self):
        "Exact and pattern searches keep Tryton's meaning"
        zhang, li, zeng, wang, anna = self.create_customers()
        self.assertEqual(self.search('张小明', '='), {zhang})
        self.assertEqual(self.search('13812345678', '='), {zhang})
        self.assertEqual(self.search('张%', 'ilike'), {zhang})
        self.assertEqual(self.search('%张'), set())
        self.assertEqual(self.search('%明'), {zhang})

    @with_transaction()
    def test_identifier_and_contact_mechanism(self):
        "Identifiers and contact mechanisms are still searched"
        pool = Pool()
        Party = pool.get('party.party')
        party, = Party.create([{
                    'name': "美容用品公司",
                    'identifiers': [('create', [{
                                    'type': None, 'code': 'ID-XYZ-42'}])],
                    'contact_mechanisms': [('create', [{
                                    'type': 'email',
                                    'value': 'orders@supplier.example'}])],
                    }])
        self.assertEqual(self.search('%ID-XYZ%'), {party})
        self.assertEqual(self.search('%orders@supp%'), {party})
        self.assertNotIn(party, self.search('%orders@supp%', 'not ilike'))

    @with_transaction()
    def test_pinyin_follows_name(self):
        "Changing the name changes the pinyin and what finds her"
        pool = Pool()
        Party = pool.get('party.party')
        zhang, li, zeng, wang, anna = self.create_customers()
        self.assertEqual(zhang.pinyin, 'zhang xiao ming')
        with Transaction().set_context(_skip_warnings=True):
            Party.write([zhang], {'name': "赵晓红"})
        self.assertEqual(zhang.pinyin, 'zhao xiao hong')
        self.assertEqual(self.search('%zxm%'), set())
        self.assertEqual(self.search('%小明%'), set())
        self.assertEqual(self.search('%zxh%'), {zhang})
        self.assertEqual(self.search('%zhaoxiaohong%'), {zhang})
        self.assertEqual(self.search('%晓红%'), {zhang})
        Party.write([zhang], {'mobile': '13811112222'})
        self.assertEqual(zhang.mobile_digits, '13811112222')
        self.assertEqual(self.search('%5678%'), set())
        self.assertEqual(self.search('%1112222%'), {zhang})
        Party.write([zhang], {'mobile': None})
        self.assertIsNone(zhang.mobile_digits)

    @with_transaction()
    def test_copy(self):
        "A copy keeps the pinyin of its name but not the mobile"
        Party = Pool().get('party.party')
        zhang = self.create_customers()[0]
        with Transaction().set_context(_skip_warnings=True):
            copy, = Party.copy([zhang])
        self.assertEqual(copy.pinyin, 'zhang xiao ming')
        self.assertIsNone(copy.mobile_digits)
        self.assertEqual(self.search('%小明%'), {zhang, copy})

    @with_transaction()
    def test_order_by_pinyin(self):
        "Names and pinyin sort in pinyin order"
        Party = Pool().get('party.party')
        zhang, li, zeng, wang, anna = self.create_customers()
        customers = [zhang, li, zeng, wang, anna]
        expected = [anna, li, wang, zeng, zhang]
        for order in [[('name', 'ASC')], [('pinyin', 'ASC')], None]:
            result = Party.search(
                [('id', 'in', [c.id for c in customers])], order=order)
            self.assertEqual(result, expected, order)
        result = Party.search(
            [('id', 'in', [c.id for c in customers])],
            order=[('name', 'DESC')])
        self.assertEqual(result, expected[::-1])

    @with_transaction()
    def test_erase(self):
        "Erasing a customer clears her search keys"
        pool = Pool()
        Party = pool.get('party.party')
        Erase = pool.get('party.erase', type='wizard')
        zhang = self.create_customers()[0]
        Party.write([zhang], {'active': False})
        session_id, _, _ = Erase.create()
        erase = Erase(session_id)
        erase.ask.party = zhang
        erase.transition_erase()
        table = Party.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(
                table.pinyin, table.pinyin_search, table.mobile_digits,
                where=table.id == zhang.id))
        self.assertEqual(cursor.fetchall(), [(None, None, None)])

    @with_transaction()
    def test_fill_search_columns(self):
        "The migration fills the columns of existing parties"
        Party = Pool().get('party.party')
        zhang, li, *_ = self.create_customers()
        table = Party.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.pinyin, table.pinyin_search, table.mobile_digits],
                [None, None, None]))
        Party._fill_search_columns()
        cursor.execute(*table.select(
                table.pinyin, table.pinyin_search, table.mobile_digits,
                where=table.id.in_([zhang.id, li.id]),
                order_by=[table.id]))
        self.assertEqual(cursor.fetchall(), [
                ('zhang xiao ming', search_keys('张小明'), '13812345678'),
                ('li na', search_keys('李娜'), '13900001111'),
                ])

    @unittest.skipUnless(backend.name == 'postgresql', "PostgreSQL plans")
    @with_transaction()
    def test_indexes_used(self):
        "PostgreSQL can answer each search form from an index"
        Party = Pool().get('party.party')
        self.create_customers()
        cursor = Transaction().connection.cursor()
        cursor.execute('SET LOCAL enable_seqscan = off')
        for text in ['5678', '小明', '张小明', 'zxm', 'C000', 'zx', '000001']:
            domain = Party._search_domain(text)
            for query in [Party._search_query(domain),
                    Party.search(domain, query=True, order=[]),
                    Party.search([('rec_name', 'ilike', '%' + text + '%')],
                        query=True, order=[])]:
                cursor.execute('EXPLAIN ' + str(query), query.params)
                plan = '\n'.join(r[0] for r in cursor)
                self.assertNotIn('Seq Scan on party_party', plan, text)
                self.assertIn('Index', plan, text)

    @with_transaction()
    def test_many_matches(self):
        "Beyond SEARCH_IDS_MAX matches the search uses its clauses"
        from beauty_customer import party as party_module
        zhang, li, zeng, wang, anna = self.create_customers()
        maximum = party_module.SEARCH_IDS_MAX
        party_module.SEARCH_IDS_MAX = 1
        try:
            self.assertEqual(self.search('%zx%'), {zhang, zeng})
            self.assertEqual(self.search('%li%'), {li, wang})
            self.assertEqual(self.search('%li%', 'not ilike') & {li, wang},
                set())
        finally:
            party_module.SEARCH_IDS_MAX = maximum


class ProductSearchTestCase(unittest.TestCase):
    "Services and products are found by the pinyin of their name"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('beauty_customer')

    def create_templates(self):
        pool = Pool()
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('symbol', '=', 'u')])
        return Template.create([{
                    'name': name,
                    'type': type_,
                    'default_uom': unit.id,
                    'products': [('create', [{}])],
                    } for name, type_ in [
                    ("小气泡清洁", 'service'),
                    ("单人护理", 'service'),
                    ("玻尿酸精华", 'goods'),
                    ]])

    def search(self, model, text):
        Model = Pool().get(model)
        return set(Model.search([('rec_name', 'ilike', text)]))

    @with_transaction()
    def test_template_by_pinyin(self):
        "Full pinyin, initials, syllables and characters find a template"
        bubble, single, serum = self.create_templates()
        self.assertEqual(bubble.pinyin, 'xiao qi pao qing jie')
        # not a person: 单 is read dan
        self.assertEqual(single.pinyin, 'dan ren hu li')
        for text, found in [
                ('%xiaoqipao%', {bubble}),
                ('%xqp%', {bubble}),
                ('%XQPQJ%', {bubble}),
                ('%qingjie%', {bubble}),
                ('%气泡%', {bubble}),
                ('%drhl%', {single}),
                ('%bns%', {serum}),
                ('%zzz%', set()),
                ]:
            with self.subTest(text=text):
                self.assertEqual(
                    self.search('product.template', text), found)

    @with_transaction()
    def test_variant_by_pinyin(self):
        "The variants (sale lines, stock) are found by the template's pinyin"
        bubble, single, serum = self.create_templates()
        self.assertEqual(
            self.search('product.product', '%bns%'), set(serum.products))
        self.assertEqual(
            self.search('product.product', '%qipao%'), set(bubble.products))

    @with_transaction()
    def test_pinyin_follows_name(self):
        "A renamed service is found by its new name's pinyin only"
        pool = Pool()
        Template = pool.get('product.template')
        bubble, single, serum = self.create_templates()
        Template.write([bubble], {'name': "深层补水"})
        self.assertEqual(bubble.pinyin, 'shen ceng bu shui')
        self.assertEqual(self.search('product.template', '%xqp%'), set())
        self.assertEqual(
            self.search('product.template', '%scbs%'), {bubble})

    @with_transaction()
    def test_fill_pinyin(self):
        "The migration computes the pinyin of the existing templates"
        pool = Pool()
        Template = pool.get('product.template')
        bubble, single, serum = self.create_templates()
        table = Template.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.pinyin, table.pinyin_search], [None, None]))
        Template._fill_pinyin()
        cursor.execute(*table.select(
                table.pinyin, where=table.id == bubble.id))
        self.assertEqual(cursor.fetchone()[0], 'xiao qi pao qing jie')
