# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Audit: who changed a customer's archive, a price, and when, visible to
the manager (in Chinese), hidden from the other roles, never editable.

(Card balances are audited the same way once beauty_pos lands:
test_balance_changes_audited.)
"""
import datetime as dt
import os

import pytest

import sao
from security_helpers import SecureServer

PASSWORDS = {
    'lily': 'Qiantai-Lily-2046',
    'wen': 'Dianzhang-Wen-2046',
    'mei': 'Meirongshi-Mei-46',
    }


@pytest.fixture(scope='module')
def server():
    server = SecureServer('test_sec_audit_%s' % os.getpid(), scale=0.01)
    try:
        server.create().start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope='module')
def salon(server):
    admin = server.login('admin', server.admin_password)
    company = server.ensure_company(admin)
    groups = {
        'lily': 'beauty_customer.group_frontdesk',
        'wen': 'beauty_customer.group_manager',
        'mei': 'beauty_customer.group_beautician',
        }
    users, sessions = {}, {}
    for login, group in groups.items():
        users[login] = server.create_user(
            admin, login, PASSWORDS[login], [group], company=company)
        sessions[login] = server.login(login, PASSWORDS[login])
    return {'admin': admin, 'company': company, 'users': users,
        'sessions': sessions, 'context': {'company': company}}


def test_customer_changes_visible_to_manager(server, salon):
    "The front desk changes a mobile: the manager sees who, when, from what"
    lily, wen = salon['sessions']['lily'], salon['sessions']['wen']
    context = salon['context']
    start = dt.datetime.now() - dt.timedelta(seconds=5)
    customer, = server.rpc('model.party.party.create', [[{
                    'name': "赵晓雪", 'mobile': '13911112222'}], context],
        lily)
    server.rpc('model.party.party.write', [[customer], {
                'mobile': '13933334444', 'occupation': "教师"}, context],
        lily)
    rows = server.rpc('model.beauty.audit.search_read', [
            [('party', '=', customer)], 0, None, None,
            ['date', 'user', 'action', 'field', 'field_name', 'old_value',
                'new_value', 'resource', 'user.rec_name'],
            dict(context, language='zh_CN')], wen)
    by_field = {r['field_name']: r for r in rows}
    assert set(by_field) == {'mobile', 'occupation'}, rows
    mobile = by_field['mobile']
    assert mobile['user'] == salon['users']['lily']
    assert mobile['action'] == 'write'
    assert mobile['field'] == "手机"
    assert '13911112222' in mobile['old_value']
    assert '13933334444' in mobile['new_value']
    assert mobile['resource'] == 'party.party,%s' % customer
    assert by_field['occupation']['old_value'] is None
    assert by_field['occupation']['new_value'] == "教师"
    date = mobile['date']
    assert isinstance(date, dict) or date, date

    # the relate action of the customer is there for the manager only
    def relate_names(session):
        actions = server.rpc('model.ir.action.keyword.get_keyword', [
                'form_relate', ['party.party', customer],
                dict(context, language='zh_CN')], session)
        return {a['name'] for a in actions}
    assert "变更记录" in relate_names(wen)
    assert "变更记录" not in relate_names(lily)
    assert start  # the rows are of this test (searched by customer)


def test_price_changes_audited(server, salon):
    "A price change by the manager is in the price filter of the history"
    admin, wen = salon['admin'], salon['sessions']['wen']
    context = salon['context']
    unit = server.rpc('model.ir.model.data.get_id', [
            'product', 'uom_unit', {}], admin)
    template, = server.rpc('model.product.template.create', [[{
                    'name': "深层补水护理", 'type': 'service',
                    'default_uom': unit,
                    'list_price': {'__class__': 'Decimal',
                        'decimal': '388'},
                    'products': [('create', [{}])],
                    }], context], admin)
    status, result = server.call('model.product.template.write', [
            [template], {'list_price': {
                    '__class__': 'Decimal', 'decimal': '428'}}, context],
        wen)
    if status != 200 or isinstance(result, dict):
        # the manager may not edit products: the administrator does
        server.rpc('model.product.template.write', [[template], {
                    'list_price': {'__class__': 'Decimal',
                        'decimal': '428'}}, context], admin)
        who = salon['admin'][1]
    else:
        who = salon['users']['wen']
    rows = server.rpc('model.beauty.audit.search_read', [
            [('resource', '=', 'product.template,%s' % template),
                ('field_name', '=', 'list_price')], 0, None, None,
            ['user', 'old_value', 'new_value', 'field'],
            dict(context, language='zh_CN')], wen)
    assert len(rows) == 1, rows
    row, = rows
    assert row['user'] == who
    assert (row['old_value'], row['new_value']) == ('388', '428')


def test_care_record_change_in_customer_history(server, salon):
    "A care record belongs to the customer's history"
    lily, wen = salon['sessions']['lily'], salon['sessions']['wen']
    context = salon['context']
    admin = salon['admin']
    customer, = server.rpc('model.party.party.create', [[{
                    'name': "孙悦", 'mobile': '13955556666'}], context], lily)
    record, = server.rpc('model.beauty.care.record.create', [[{
                    'company': salon['company'], 'customer': customer,
                    'result': "肤色均匀"}], context], admin)
    server.rpc('model.beauty.care.record.write', [
            [record], {'result': "肤色均匀，毛孔细致"}, context], admin)
    rows = server.rpc('model.beauty.audit.search_read', [
            [('party', '=', customer)], 0, None, None,
            ['resource', 'field_name', 'new_value'], context], wen)
    assert [(r['resource'], r['field_name'], r['new_value']) for r in rows] \
        == [('beauty.care.record,%s' % record, 'result', "肤色均匀，毛孔细致")]


def test_history_hidden_and_read_only(server, salon):
    "Other roles cannot read it; nobody can write, create or delete it"
    context = salon['context']
    for login in ['lily', 'mei']:
        status, result = server.call('model.beauty.audit.search_read', [
                [], 0, 10, None, ['old_value'], context],
            salon['sessions'][login])
        assert isinstance(result, dict) and result['error'], (login, result)
    wen = salon['sessions']['wen']
    ids = server.rpc('model.beauty.audit.search', [
            [], 0, 1, None, context], wen)
    assert ids
    for method, params in [
            ('write', [ids, {'new_value': 'forged'}, context]),
            ('delete', [ids, context]),
            ('create', [[{'action': 'write', 'new_value': 'x'}], context]),
            ]:
        for session in [wen, salon['admin']]:
            status, result = server.call(
                'model.beauty.audit.' + method, params, session)
            assert isinstance(result, dict) and result['error'], (
                method, result)


def test_history_in_web_client(server, salon, page):
    "The manager opens the change history in Chinese"
    wen = salon['sessions']['wen']
    page.goto(server.url + '#' + server.name)
    page.wait_for_function(
        "name => [...document.querySelectorAll('#database')].some("
        "e => e.value == name)", arg=server.name)
    page.locator('#login').fill('wen')
    page.locator('.modal-dialog button[type=submit]').click()
    secret = page.locator('input[type=password]:visible')
    secret.wait_for()
    secret.fill(PASSWORDS['wen'])
    secret.press('Enter')
    page.locator('#menu .column-char').first.wait_for()
    sao.wait_idle(page)
    menus = sao.menu_names(server, wen, 'Salon', 'Change History')
    assert menus[-1] == "变更记录"
    sao.open_menu(page, *menus)
    rows = sao.list_rows(page)
    rows.first.wait_for()
    assert rows.count() > 0
    text = sao.current_tab(page).inner_text()
    for word in ["修改人", "原值", "新值", "手机"]:
        assert word in text, word
    page.shots('change-history')


@pytest.mark.skip(reason="beauty_pos has not landed: card balances "
    "(beauty.member.card) are to be audited with AuditMixin; this test "
    "then changes a balance and reads who changed it")
def test_balance_changes_audited(server, salon):
    pass
