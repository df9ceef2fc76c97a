# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The roles against docs/permissions.md, through the real JSON-RPC.

Real users (one per role, with passwords) log in to trytond's WSGI
application with the JSON-RPC protocol the web client uses. For every model
of the permission matrix the server must allow exactly what the matrix
says; every menu entry a role sees must open; and the record rules and
hidden fields hold (a beautician reads neither a colleague's roster nor a
cost price). The matrix itself must be what tools/permission_matrix.py
generates, so it covers the models later modules add without change here.
"""
import base64
import datetime as dt
import json
import os
import re
import sys
import unittest
from decimal import Decimal
from xml.etree import ElementTree

from trytond.pool import Pool
from trytond.protocols.wrappers import Response
from trytond.tests.test_tryton import (
    DB_NAME, Client, activate_module, drop_db)
from trytond.transaction import Transaction
from trytond.wsgi import app

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import permission_matrix  # noqa: E402

MODULES = permission_matrix.suite_modules()
MATRIX = os.path.join(ROOT, 'docs', 'permissions.md')
ROLES = [r for r, _, _ in permission_matrix.ROLES]
PERMS = [p for p, _ in permission_matrix.PERMS]
# Models whose records are never deleted: the server refuses before it
# looks at the rights (users are deactivated, to keep the logs)
NEVER_DELETED = {'res.user'}
STORE = "美丽人生 徐汇店"
OTHER_STORE = "美丽人生 静安店"


def password(login):
    return 'Salon-%s-2030!' % login


def read_matrix():
    "{model: {role: {perm: bool}}} from the committed document"
    with open(MATRIX, encoding='utf-8') as fp:
        text = fp.read()
    section = text.split('## Models', 1)[1].split('\n## ', 1)[0]
    matrix = {}
    for line in section.splitlines():
        match = re.match(r'\| `([^`]+)` \|[^|]*\|(.*)\|\s*$', line)
        if not match:
            continue
        cells = re.findall(r'`([rcwd-]{4})`', match.group(2))
        assert len(cells) == len(ROLES), line
        matrix[match.group(1)] = {
            role: {p: cell[i] != '-' for i, p in enumerate(PERMS)}
            for role, cell in zip(ROLES, cells)}
    return matrix


class RPCError(Exception):

    def __init__(self, error):
        super().__init__(error)
        self.error = error

    @property
    def message(self):
        if (isinstance(self.error, list) and len(self.error) > 1
                and isinstance(self.error[1], list) and self.error[1]):
            return str(self.error[1][0])
        return str(self.error)

    @property
    def access_denied(self):
        "The server refused for lack of rights (an AccessError)"
        return (isinstance(self.error, list)
            and self.error[0] == 'UserError'
            and (self.message.startswith('You are not allowed to')
                or self.message.startswith('Calling button')))


class Session:
    "A user logged in through JSON-RPC"

    def __init__(self, client, login):
        self.client = client
        self.login = login
        result = self.call(
            'common.db.login', login, {'password': password(login)}, 'en',
            authenticate=False)
        self.user_id, self.key = result[0], result[1]
        self.context = self.call('model.res.user.get_preferences', True, {})

    def call(self, method, *params, authenticate=True):
        headers = {'Content-Type': 'application/json'}
        if authenticate:
            token = base64.b64encode(('%s:%s:%s' % (
                        self.login, self.user_id, self.key)).encode()).decode()
            headers['Authorization'] = 'Session ' + token
        response = self.client.post(
            '/%s/rpc/' % DB_NAME, headers=headers,
            data=json.dumps({
                    'id': 1, 'method': method, 'params': list(params),
                    }, default=_json_default))
        result = json.loads(response.get_data(as_text=True))
        if result.get('error'):
            raise RPCError(result['error'])
        return result['result']

    def model(self, model, method, *params):
        return self.call(
            'model.%s.%s' % (model, method), *params, self.context)

    def allowed(self, model, perm):
        "Whether the server lets this user read/create/write/delete model"
        probes = {
            'read': lambda: self.model(model, 'search', [], 0, 1, None),
            'create': lambda: self.model(model, 'create', []),
            'write': lambda: self.model(model, 'write', [], {}),
            'delete': lambda: self.model(model, 'delete', []),
            }
        try:
            probes[perm]()
        except RPCError as error:
            if error.access_denied:
                return False
            raise
        return True


def _json_default(value):
    if isinstance(value, dt.datetime):
        return {'__class__': 'datetime', 'year': value.year,
            'month': value.month, 'day': value.day, 'hour': value.hour,
            'minute': value.minute, 'second': value.second,
            'microsecond': value.microsecond}
    if isinstance(value, dt.date):
        return {'__class__': 'date', 'year': value.year,
            'month': value.month, 'day': value.day}
    raise TypeError(value)


class PermissionTestCase(unittest.TestCase):
    "Each role through JSON-RPC against the permission matrix"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(MODULES)
        with Transaction().start(DB_NAME, 0) as transaction:
            cls.records = cls.create_salon()
            transaction.commit()
        cls.client = Client(app, Response)
        cls.sessions = {}

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @classmethod
    def create_salon(cls):
        "Two stores, the staff, one user per role, rosters and a service"
        from trytond.modules.company.tests import create_company
        from trytond.modules.currency.tests import create_currency
        pool = Pool()
        Company = pool.get('company.company')
        Employee = pool.get('company.employee')
        Party = pool.get('party.party')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Shift = pool.get('beauty.shift')
        Roster = pool.get('beauty.roster')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        CareRecord = pool.get('beauty.care.record')

        currency = create_currency('CNY')
        store = create_company(STORE, currency=currency)
        other = create_company(OTHER_STORE, currency=currency)
        Company.write([store, other], {'timezone': 'Asia/Shanghai'})
        staff = [
            ('admin_salon', "孙管理", 'manager', 'group_salon_admin'),
            ('manager', "陈店长", 'manager', 'group_manager'),
            ('frontdesk', "周前台", 'frontdesk', 'group_frontdesk'),
            ('beautician', "王美丽", 'beautician', 'group_beautician'),
            ('accountant', "钱财务", 'accountant', 'group_accountant'),
            ]
        parties = Party.create([{'name': n} for _, n, _, _ in staff]
            + [{'name': "李娜"}, {'name': "赵敏"}])
        employees = Employee.create([{
                    'party': p.id, 'company': store.id, 'position': pos}
                for p, (_, _, pos, _) in zip(parties, staff)] + [{
                    'party': parties[-2].id, 'company': store.id,
                    'position': 'beautician'}, {
                    'party': parties[-1].id, 'company': other.id,
                    'position': 'beautician'}])
        users = User.create([{
                    'login': login, 'name': name,
                    'password': password(login),
                    'groups': [('add', [
                                ModelData.get_id('beauty_customer', group)])],
                    'companies': [('add', [store.id])],
                    'company': store.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id,
                    }
                for (login, name, _, group), employee in zip(
                    staff, employees)])
        wang, li, zhao = employees[3], employees[5], employees[6]
        shift, = Shift.create([{
                    'name': "早班", 'company': store.id,
                    'start_time': dt.time(9), 'end_time': dt.time(15)}])
        day = dt.date.today() + dt.timedelta(days=1)
        with Transaction().set_context(company=store.id):
            wang_roster, li_roster = Roster.create([
                    {'employee': wang.id, 'date': day, 'shift': shift.id},
                    {'employee': li.id, 'date': day, 'shift': shift.id}])
        unit, = Uom.search([('name', '=', 'Unit')])
        template, = Template.create([{
                    'name': "深层补水护理", 'type': 'service',
                    'default_uom': unit.id,
                    'products': [('create', [{}])]}])
        with Transaction().set_context(company=store.id):
            Pool().get('product.product').write(
                list(template.products), {'cost_price': Decimal('120')})
        served, unserved = Party.create([
                {'name': "林晓雨", 'mobile': '13812345678'},
                {'name': "张婷", 'mobile': '13987654321'}])
        CareRecord.create([{
                    'company': store.id, 'customer': served.id,
                    'date': dt.date.today(), 'beautician': wang.id}])
        return {
            'users': {login: u.id for (login, *_), u in zip(staff, users)},
            'wang': wang.id, 'li': li.id, 'zhao': zhao.id,
            'wang_roster': wang_roster.id, 'li_roster': li_roster.id,
            'template': template.id, 'served': served.id,
            'unserved': unserved.id, 'store_party': store.party.id,
            'li_party': li.party.id, 'company': store.id,
            }

    def session(self, login):
        if login not in self.sessions:
            self.sessions[login] = Session(self.client, login)
        return self.sessions[login]

    def role_login(self, role):
        return {
            'group_salon_admin': 'admin_salon',
            'group_manager': 'manager',
            'group_frontdesk': 'frontdesk',
            'group_beautician': 'beautician',
            'group_accountant': 'accountant',
            }[role]

    def test_document_is_generated(self):
        "docs/permissions.md is what tools/permission_matrix.py generates"
        with Transaction().start(DB_NAME, 0, readonly=True):
            expected = permission_matrix.render(
                permission_matrix.compute(Pool(DB_NAME), MODULES))
        with open(MATRIX, encoding='utf-8') as fp:
            current = fp.read()
        self.assertEqual(current, expected,
            msg="docs/permissions.md is stale: run "
            ".venv/bin/python tools/permission_matrix.py")

    def test_matrix_covers_suite(self):
        "Every model of the suite a client reaches is in the matrix"
        from trytond.model import ModelStorage, ModelView
        matrix = read_matrix()
        pool = Pool(DB_NAME)
        with Transaction().start(DB_NAME, 0, readonly=True):
            IrModel = pool.get('ir.model')
            models = {
                m.name for m in IrModel.search([('module', 'in', MODULES)])
                if issubclass(pool.get(m.name), ModelStorage)
                and issubclass(pool.get(m.name), ModelView)}
        self.assertTrue(models)
        self.assertLessEqual(models, set(matrix))

    def test_server_allows_matrix(self):
        "What each role may read/create/change/delete, asked to the server"
        from trytond.model import ModelSingleton
        matrix = read_matrix()
        pool = Pool(DB_NAME)
        differences = []
        for role in ROLES:
            session = self.session(self.role_login(role))
            for model, roles in sorted(matrix.items()):
                for perm in PERMS:
                    if (perm in {'create', 'delete'}
                            and issubclass(pool.get(model), ModelSingleton)):
                        # the one record of a singleton is created by its
                        # first write and must not be deleted by a probe
                        continue
                    if perm == 'delete' and model in NEVER_DELETED:
                        continue
                    if perm != 'read' and pool.get(model)._is_table_query():
                        # a report: the server never writes it
                        allowed = False
                    else:
                        allowed = session.allowed(model, perm)
                    if allowed != roles[role][perm]:
                        differences.append('%s %s %s: server %s' % (
                                role, model, perm,
                                'allows' if allowed else 'refuses'))
        self.assertEqual(differences, [])

    def test_menus_open(self):
        "Every menu entry a role sees opens: views load, records read"
        problems = []
        for role in ROLES:
            session = self.session(self.role_login(role))
            menu_ids = session.model('ir.ui.menu', 'search', [], 0, None, None)
            menus = session.model(
                'ir.ui.menu', 'read', menu_ids,
                ['complete_name', 'action', 'childs'])
            for menu in menus:
                if not menu['action']:
                    continue
                try:
                    self.open_menu(session, menu)
                except RPCError as error:
                    problems.append('%s: %s: %s' % (
                            role, menu['complete_name'], error.message))
        self.assertEqual(problems, [])

    def open_menu(self, session, menu):
        "Open a menu entry as the web client does"
        actions = session.model(
            'ir.action.keyword', 'get_keyword', 'tree_open',
            ['ir.ui.menu', menu['id']])
        if not actions:
            raise RPCError(['UserError', ["no action for the role"]])
        action = actions[0]
        if action['type'] == 'ir.action.act_window':
            self.open_act_window(session, action)
        elif action['type'] == 'ir.action.wizard':
            name = action['wiz_name']
            session_id, start, _ = session.call(
                'wizard.%s.create' % name, session.context)
            try:
                session.call('wizard.%s.execute' % name,
                    session_id, {}, start, session.context)
            finally:
                session.call(
                    'wizard.%s.delete' % name, session_id, session.context)

    def open_act_window(self, session, action):
        "Open a window as the web client does: its views, then its records"
        model = action['res_model']
        if not model:
            # a board: each of its actions opens as its own window
            for view_id, view_type in action['views']:
                view = session.model('ir.ui.view', 'view_get', view_id)
                tree = ElementTree.fromstring(view['arch'])
                for node in tree.iter('action'):
                    self.open_act_window(session, session.model(
                            'ir.action.act_window', 'get', node.get('name')))
            return
        names = set()
        for view_id, view_type in action['views']:
            view = session.model(
                model, 'fields_view_get', view_id, view_type)
            if view_type in {'tree', 'form', 'calendar'}:
                names.update(view['fields'])
        ids = session.model(model, 'search', [], 0, 5, None)
        session.model(model, 'read', ids, sorted(names))

    def assertDenied(self, call, *args):
        with self.assertRaises(RPCError) as cm:
            call(*args)
        self.assertTrue(cm.exception.access_denied, cm.exception.error)

    def test_beautician_own_roster(self):
        "A beautician reads her own roster, not a colleague's"
        records = self.records
        session = self.session('beautician')
        ids = session.model('beauty.roster', 'search', [], 0, None, None)
        self.assertEqual(ids, [records['wang_roster']])
        session.model('beauty.roster', 'read', ids, ['start', 'end'])
        self.assertDenied(
            session.model, 'beauty.roster', 'read',
            [records['li_roster']], ['start', 'end'])
        self.assertDenied(
            session.model, 'beauty.roster', 'write',
            [records['wang_roster']], {'note': "改"})
        # the front desk reads both
        desk = self.session('frontdesk')
        self.assertEqual(
            len(desk.model('beauty.roster', 'search', [], 0, None, None)), 2)

    def test_cost_price_hidden(self):
        "Front desk and beauticians get an access error on cost prices"
        template = self.records['template']
        for login in ['beautician', 'frontdesk']:
            session = self.session(login)
            session.model('product.template', 'read', [template], ['name'])
            self.assertDenied(
                session.model, 'product.template', 'read', [template],
                ['cost_price'])
            product_ids = session.model(
                'product.product', 'search', [], 0, None, None)
            self.assertDenied(
                session.model, 'product.product', 'read', product_ids,
                ['cost_price'])
            view = session.model(
                'product.template', 'fields_view_get', None, 'form')
            self.assertNotIn('cost_price', view['fields'])
        for login in ['manager', 'accountant', 'admin_salon']:
            session = self.session(login)
            value, = session.model(
                'product.template', 'read', [template], ['cost_price'])
            self.assertEqual(
                Decimal(str(value['cost_price']['decimal']
                        if isinstance(value['cost_price'], dict)
                        else value['cost_price'])), Decimal('120'))
        self.assertDenied(
            self.session('accountant').model, 'product.template', 'write',
            [template], {'name': "改名"})

    def test_beautician_customers(self):
        "A beautician reads the customers she serves, masked, and the staff"
        records = self.records
        session = self.session('beautician')
        customer, = session.model(
            'party.party', 'read', [records['served']], ['name', 'mobile'])
        self.assertEqual(customer['mobile'], '138****5678')
        self.assertDenied(
            session.model, 'party.party', 'read', [records['unserved']],
            ['name'])
        # the parties of the store and of colleagues stay readable
        session.model(
            'party.party', 'read',
            [records['store_party'], records['li_party']], ['rec_name'])
        employees = session.model(
            'company.employee', 'search_read', [], 0, None, None,
            ['rec_name'])
        self.assertIn(records['li'], [e['id'] for e in employees])
        # the front desk sees every customer and the full mobile
        desk = self.session('frontdesk')
        customer, = desk.model(
            'party.party', 'read', [records['unserved']], ['mobile'])
        self.assertEqual(customer['mobile'], '+8613987654321')

    def test_manager_store(self):
        """The manager keeps the staff of her store only; the names of the
        other stores' staff stay readable (customers are the chain's)"""
        records = self.records
        session = self.session('manager')
        ids = session.model('company.employee', 'search',
            [('company', '=', records['company'])], 0, None, None)
        self.assertIn(records['wang'], ids)
        self.assertNotIn(records['zhao'], ids)
        session.model(
            'company.employee', 'read', [records['zhao']], ['rec_name'])
        self.assertDenied(
            session.model, 'company.employee', 'write', [records['zhao']],
            {'skill_level': 'expert'})

    def test_leave_approval(self):
        "A beautician requests leave for herself; only the manager approves"
        records = self.records
        day = dt.date.today() + dt.timedelta(days=30)
        session = self.session('beautician')
        leave_id, = session.model('beauty.leave', 'create', [{
                    'employee': records['wang'], 'type': 'annual',
                    'from_date': day, 'to_date': day}])
        session.model('beauty.leave', 'request', [leave_id])
        self.assertDenied(
            session.model, 'beauty.leave', 'approve', [leave_id])
        self.assertDenied(
            session.model, 'beauty.leave', 'write', [leave_id],
            {'state': 'approved'})
        self.assertDenied(
            session.model, 'beauty.leave', 'create', [{
                    'employee': records['li'], 'type': 'annual',
                    'from_date': day, 'to_date': day}])
        manager = self.session('manager')
        manager.model('beauty.leave', 'approve', [leave_id])
        leave, = manager.model(
            'beauty.leave', 'read', [leave_id], ['state', 'approved_by'])
        self.assertEqual(leave['state'], 'approved')
        self.assertEqual(leave['approved_by'], records['users']['manager'])
