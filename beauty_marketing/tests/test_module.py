# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from lxml import etree

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

BOARDS = {
    'frontdesk': ['group_frontdesk'],
    'manager': ['group_manager'],
    'accountant': ['group_accountant'],
    }


class BeautyMarketingTestCase(ModuleTestCase):
    "Test Beauty Marketing module"
    module = 'beauty_marketing'

    @with_transaction()
    def test_boards_open_for_their_role(self):
        "Each role's board opens for it, with every list and graph in it"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        View = pool.get('ir.ui.view')
        ActWindow = pool.get('ir.action.act_window')
        Menu = pool.get('ir.ui.menu')
        company = create_company()
        for role, groups in BOARDS.items():
            with set_company(company):
                user = User(login='board_%s' % role, name=role,
                    companies=[company], company=company,
                    groups=[ModelData.get_id('beauty_customer', g)
                        for g in groups])
                user.save()
            view = View(ModelData.get_id(
                    'beauty_marketing', 'board_%s_view' % role))
            names = [a.get('name') for a in etree.fromstring(
                    view.arch).iter('action')]
            self.assertGreaterEqual(len(names), 3)
            with Transaction().set_user(user.id), \
                    Transaction().set_context(_check_access=True):
                arch = View.view_get(View(view.id))['arch']
                self.assertIn('<board', arch)
                for name in names:
                    action = ActWindow.get(name)
                    pool.get(action['res_model']).search([], limit=1)
                menu_id = ModelData.get_id(
                    'beauty_marketing', 'menu_board_%s' % role)
                menu, = Menu.search([('id', '=', menu_id)])
                self.assertEqual(menu.parent.name, "Boards")
                others = [ModelData.get_id('beauty_marketing',
                        'menu_board_%s' % r) for r in BOARDS if r != role]
                if role != 'manager':
                    self.assertFalse(Menu.search([('id', 'in', others)]))


del ModuleTestCase
