# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The front desk finds a customer by part of her mobile in the web client."""
import sao


def test_find_customer_by_mobile(salon, page):
    admin = salon.login('admin', salon.admin_password)
    # a customer of our own, so the test does not depend on the demo's names
    customer_id, = salon.rpc('model.party.party.create', [[{
                    'name': "林小雨", 'mobile': '139 2468 1357',
                    'gender': 'female'}], {}], session=admin)
    code, = salon.rpc('model.party.party.read', [
            [customer_id], ['code'], {}], session=admin)
    code = code['code']

    # the database in the address: PostgreSQL serves several
    sao.login(page, salon.url + '#' + salon.name, 'admin',
        salon.admin_password)
    page.shots('home')
    menus = sao.menu_names(salon, admin, 'Salon', 'Customers')
    assert all(sao.CJK.search(m) for m in menus), menus
    sao.open_menu(page, *menus)
    # the list fills in after the tab opens
    sao.list_rows(page).first.wait_for()
    assert sao.list_rows(page).count() > 0
    page.shots('customer-list')

    # the middle digits of her mobile
    sao.search(page, '4681')
    rows = sao.list_rows(page)
    rows.filter(has_text="林小雨").first.wait_for()
    assert rows.count() == 1
    assert code in rows.first.inner_text()
    page.shots('search-by-mobile')

    sao.open_row(page, "林小雨")
    assert sao.field_value(page, 'name') == "林小雨"
    assert sao.field_value(page, 'code') == code
    assert '13924681357' in sao.field_value(page, 'mobile')
    page.shots('customer-form')
