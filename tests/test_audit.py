# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Audit: who changed a customer's archive, a price, and when, visible to
the manager (in Chinese), hidden from the other roles, never editable.

Card balances (beauty_pos) are audited by their ledger: every change of a
balance (a top-up by the front desk, a manual adjustment by the manager) is
a ledger line that keeps who made it, when and why; the manager reads it, no
role can change or delete it, and the balance is the ledger's running
balance (test_balance_changes_audited).
"""
import datetime as dt
import os
import sys
from decimal import Decimal

import pytest

import sao
from security_helpers import CORE_MODULES, CORE_SCALE, ROOT, SecureServer

sys.path.insert(0, os.path.join(ROOT, 'tools'))
from demo import suite_modules  # noqa: E402

PASSWORDS = {
    'lily': 'Qiantai-Lily-2046',
    'wen': 'Dianzhang-Wen-2046',
    'mei': 'Meirongshi-Mei-46',
    }
# Not beauty_review: a manual adjustment is then a request that waits for a
# manager's approval
MODULES = CORE_MODULES


@pytest.fixture(scope='module')
def server():
    server = SecureServer('test_sec_audit_%s' % os.getpid(),
        scale=CORE_SCALE,
        modules=[m for m in MODULES if m in suite_modules()])
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


def money(value):
    "A Decimal to send"
    return {'__class__': 'Decimal', 'decimal': str(value)}


def decimal(value):
    "A Decimal received"
    if isinstance(value, dict):
        return Decimal(value['decimal'])
    return Decimal(str(value))


def datetime_of(value):
    "A datetime received"
    return dt.datetime(value['year'], value['month'], value['day'],
        value['hour'], value['minute'], value['second'])


def run_wizard(server, session, name, state, data, context, model, record):
    "Run the wizard on the record to the state (its button); return result"
    context = dict(context, active_model=model, active_id=record,
        active_ids=[record])
    session_id, _, _ = server.rpc(
        'wizard.%s.create' % name, [context], session)
    try:
        return server.rpc('wizard.%s.execute' % name, [
                session_id, data, state, context], session)
    finally:
        server.rpc('wizard.%s.delete' % name, [session_id, context], session)


@pytest.mark.skipif('beauty_pos' not in suite_modules(),
    reason="beauty_pos has not landed: card balances (beauty.member.card)")
def test_balance_changes_audited(server, salon):
    """The front desk tops a card up, the manager adjusts it: each change
    is a ledger line with who, when and why; the manager reads them, nobody
    changes or deletes them, and the balance is the ledger's"""
    admin, context = salon['admin'], salon['context']
    lily, wen, mei = [salon['sessions'][u] for u in ['lily', 'wen', 'mei']]
    users = salon['users']
    company = salon['company']
    today = dt.date.today()
    # the checkout of the store (accounts, point of sale, tenders)
    run_wizard(server, admin, 'beauty.pos.setup', 'setup', {'start': {
                'company': company,
                'first_date': {'__class__': 'date', 'year': today.year,
                    'month': 1, 'day': 1},
                'last_date': {'__class__': 'date', 'year': today.year,
                    'month': 12, 'day': 31},
                }}, context, 'company.company', company)
    start = dt.datetime.utcnow() - dt.timedelta(minutes=2)

    customer, = server.rpc('model.party.party.create', [[{
                    'name': "钱佳慧", 'mobile': '13966667777'}], context],
        lily)
    card, = server.rpc('model.beauty.member.card.create', [[{
                    'customer': customer, 'company': company}], context],
        lily)
    point, = server.rpc('model.sale.point.search', [
            [('company', '=', company)], 0, 1, None, context], lily)
    cash, = server.rpc('model.sale.point.payment.method.search', [
            [('company', '=', company), ('kind', '=', 'cash')], 0, 1, None,
            context], lily)
    currency, = server.rpc('model.beauty.member.card.read', [
            [card], ['currency'], context], lily)
    currency = currency['currency']

    # the front desk tops it up (with the bonus of the top-up rules)
    run_wizard(server, lily, 'beauty.member.card.topup', 'topup', {
            'start': {'card': card, 'point': point, 'method': cash,
                'amount': money('1000.00'), 'bonus': None,
                'company': company, 'currency': currency}},
        context, 'beauty.member.card', card)
    # only the manager adjusts a balance, with a reason
    reason = "店庆活动补赠 80 元（店长批准）"
    adjust = {'start': {'card': card, 'part': 'bonus',
            'amount': money('80.00'), 'reason': reason,
            'currency': currency}}
    status, result = server.call('wizard.beauty.member.card.adjust.create',
        [dict(context, active_model='beauty.member.card', active_id=card,
                active_ids=[card])], lily)
    if not (isinstance(result, dict) and result.get('error')):
        session_id = result[0]
        status, result = server.call(
            'wizard.beauty.member.card.adjust.execute', [
                session_id, adjust, 'adjust', dict(context,
                    active_model='beauty.member.card', active_id=card,
                    active_ids=[card])], lily)
    assert isinstance(result, dict) and result['error'], result
    run_wizard(server, wen, 'beauty.member.card.adjust', 'adjust', adjust,
        context, 'beauty.member.card', card)
    end = dt.datetime.utcnow() + dt.timedelta(minutes=2)

    # the manager reads who changed the balance, when and why
    fields = ['type', 'date', 'create_uid', 'create_date', 'description',
        'principal_amount', 'bonus_amount', 'amount', 'principal_balance',
        'bonus_balance', 'balance', 'create_uid.rec_name']
    lines = server.rpc('model.beauty.member.card.line.search_read', [
            [('card', '=', card)], 0, None, [('id', 'ASC')], fields,
            context], wen)
    assert [l['type'] for l in lines] == ['topup', 'adjustment'], lines
    topup, adjustment = lines
    assert topup['create_uid'] == users['lily']
    assert topup['create_uid.']['rec_name'] == 'lily'
    assert adjustment['create_uid'] == users['wen']
    assert adjustment['create_uid.']['rec_name'] == 'wen'
    assert adjustment['description'] == reason
    for line in lines:
        date = line['date']
        assert dt.date(date['year'], date['month'], date['day']) == today
        assert start <= datetime_of(line['create_date']) <= end, line
    assert decimal(topup['principal_amount']) == Decimal(1000)
    rule_bonus = decimal(topup['bonus_amount'])
    assert (decimal(adjustment['principal_amount']),
        decimal(adjustment['bonus_amount'])) == (Decimal(0), Decimal(80))

    # the balance is the ledger's running balance
    running = Decimal(0)
    for line in lines:
        running += decimal(line['amount'])
        assert decimal(line['balance']) == running
        assert decimal(line['balance']) == (decimal(line['principal_balance'])
            + decimal(line['bonus_balance']))
    card_values, = server.rpc('model.beauty.member.card.read', [
            [card], ['balance', 'principal_balance', 'bonus_balance'],
            context], wen)
    assert decimal(card_values['balance']) == running == (
        Decimal(1080) + rule_bonus)
    assert (decimal(card_values['principal_balance']),
        decimal(card_values['bonus_balance'])) == (
        decimal(adjustment['principal_balance']),
        decimal(adjustment['bonus_balance']))

    # the ledger cannot be rewritten, deleted or forged by any role
    ids = [l['id'] for l in lines]
    for session in [lily, wen, mei, admin]:
        for method, params in [
                ('write', [ids, {'description': "改"}, context]),
                ('write', [ids[-1:], {'bonus_amount': money('800')},
                        context]),
                ('delete', [ids, context]),
                ('create', [[{'card': card, 'company': company,
                                'type': 'adjustment', 'date': {
                                    '__class__': 'date', 'year': today.year,
                                    'month': today.month, 'day': today.day},
                                'principal_amount': money('0'),
                                'bonus_amount': money('500'),
                                'principal_balance': money('1000'),
                                'bonus_balance': money('580'),
                                }], context]),
                ]:
            status, result = server.call(
                'model.beauty.member.card.line.' + method, params, session)
            assert isinstance(result, dict) and result['error'], (
                session[0], method, result)
        # nor its balances directly on the card
        status, result = server.call('model.beauty.member.card.write', [
                [card], {'bonus_balance': money('9999')}, context], session)
        assert isinstance(result, dict) and result['error'], (
            session[0], result)
    after = server.rpc('model.beauty.member.card.line.search_read', [
            [('card', '=', card)], 0, None, [('id', 'ASC')], fields,
            context], wen)
    assert after == lines
    card_after, = server.rpc('model.beauty.member.card.read', [
            [card], ['balance'], context], wen)
    assert decimal(card_after['balance']) == running
