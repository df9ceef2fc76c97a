# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Privacy (PIPL): a customer's full export on request, and her erasure.

One customer is given everything the archive can hold about her: profile,
tags, two mobiles (the first changed: kept by the audit log), WeChat id,
care records with before/after photos changed twice (history rows, old
photos queued for removal), a consultation, a care plan, a complaint, an
attachment (a signed consent) and an import file that mentions her left in
an abandoned import wizard. Then:

- her export (JSON and .xlsx) holds her data;
- after the erase wizard (as the manager, fresh session) a dump of the
  database (PostgreSQL: pg_dump of everything, history tables included;
  SQLite: the logical dump and the raw file) and the file store contain
  neither her name nor her mobiles nor her WeChat id nor her photos, and
  her export is empty of them; other customers are untouched.

Another customer then books online and is given what the other modules keep
about her: the appointment (with her note), its messages (SMS, email and
WeChat: recipient and text), a stored-value card with a note, topped up at
the checkout (sale, receipt, card ledger, account move) and her rating of
the visit. After her erasure neither the dump nor the raw SQLite file nor her
receipt knows her name, mobile, WeChat id or email; the appointment, the
sale, the card, its ledger and the posted accounting stay
(test_erasure_other_modules).
"""
import base64
import csv
import datetime as dt
import io
import json
import os
import random
import subprocess
import urllib.error
import urllib.request
import zipfile
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from security_helpers import (
    SecureServer, binary, is_postgresql, pg_uri, sqlite_path, unbinary)

NAME = "龚雪凝"
PINYIN = "gong xue ning"
MOBILE_OLD = '13812349876'
MOBILE = '13812340000'
WECHAT = 'gxn_wechat_8841'
OTHER_NAME = "欧阳晴"
OTHER_MOBILE = '13712345555'
PASSWORD = 'Dianzhang-Wen-2046'
# the customer of test_erasure_other_modules
NAME2 = "葛思琪"
MOBILE2 = '13812347777'
WECHAT2 = 'gsq_wx_5521'
EMAIL2 = 'gesiqi.5521@example.com'


@pytest.fixture(scope='module')
def server():
    server = SecureServer('test_sec_privacy_%s' % os.getpid())
    try:
        server.create().start()
        yield server
    finally:
        server.close()


def photo(seed, size=60_000):
    rng = random.Random(seed)
    return b'\xff\xd8\xff\xe0' + rng.randbytes(size) + NAME.encode()


def report(server, name, record, session, context):
    "Run a report on a record: (extension, bytes)"
    result = server.rpc('report.%s.execute' % name, [
            [record], {'model': 'party.party', 'id': record,
                'ids': [record]}, context], session)
    extension, content = result[0], unbinary(result[1])
    if isinstance(content, str):
        content = content.encode('utf-8')
    return extension, content


def xlsx_text(content):
    "The text of the cells of an .xlsx"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return '\n'.join(archive.read(n).decode('utf-8', 'replace')
            for n in archive.namelist() if n.endswith('.xml'))


@pytest.fixture(scope='module')
def customer(server):
    "Her, with all the archive can hold, and another customer"
    admin = server.login('admin', server.admin_password)
    company = server.ensure_company(admin)
    context = {'company': company}
    manager_id = server.create_user(admin, 'wen', PASSWORD,
        ['beauty_customer.group_manager'], company=company)
    frontdesk_id = server.create_user(admin, 'lily', 'Qiantai-Lily-2046',
        ['beauty_customer.group_frontdesk'], company=company)
    lily = server.login('lily', 'Qiantai-Lily-2046')
    tag, = server.rpc('model.party.category.create', [[{
                    'name': "VIP-金卡"}], context], admin)
    her, other = server.rpc('model.party.party.create', [[{
                    'name': NAME, 'mobile': MOBILE_OLD, 'wechat': WECHAT,
                    'gender': 'female', 'birthday': {
                        '__class__': 'date', 'year': 1992, 'month': 3,
                        'day': 8},
                    'occupation': "护士", 'hobbies': "瑜伽",
                    'allergies': "果酸过敏", 'family_notes': "女儿 6 岁",
                    'categories': [('add', [tag])],
                    }, {'name': OTHER_NAME, 'mobile': OTHER_MOBILE}],
            context], lily)
    # the front desk corrects her mobile: the audit log keeps the old one
    server.rpc('model.party.party.write', [
            [her], {'mobile': MOBILE}, context], lily)
    photos = []
    records = []
    for i in range(2):
        before, after = photo(10 * i), photo(10 * i + 1)
        photos += [before, after]
        record, = server.rpc('model.beauty.care.record.create', [[{
                        'company': company, 'customer': her,
                        'skin_state': "%s 两颊泛红" % NAME,
                        'photo_before': binary(before),
                        'photo_after': binary(after),
                        'next_notes': "电话 %s 前先确认" % MOBILE,
                        }], context], admin)
        records.append(record)
    # new photos and notes: history rows and replaced files
    newer = photo(99)
    photos.append(newer)
    server.rpc('model.beauty.care.record.write', [[records[0]], {
                'photo_after': binary(newer),
                'result': "%s 满意" % NAME}, context], admin)
    server.rpc('model.beauty.care.plan.create', [[{
                    'company': company, 'customer': her,
                    'start_date': {'__class__': 'date', 'year': 2026,
                        'month': 10, 'day': 1},
                    'end_date': {'__class__': 'date', 'year': 2026,
                        'month': 12, 'day': 31},
                    'notes': "%s 季度计划" % NAME}], context], admin)
    server.rpc('model.beauty.feedback.create', [[{
                    'company': company, 'customer': her,
                    'kind': 'complaint', 'subject': "%s 投诉等待太久" % NAME,
                    'description': "回电 %s" % MOBILE}], context], admin)
    consent = ("本人 %s 同意拍照，手机 %s" % (NAME, MOBILE)).encode('utf-8')
    server.rpc('model.ir.attachment.create', [[{
                    'name': "%s-知情同意书.txt" % NAME, 'type': 'data',
                    'resource': 'party.party,%s' % her,
                    'data': binary(consent)}], context], admin)
    server.rpc('model.ir.note.create', [[{
                    'resource': 'party.party,%s' % her,
                    'message': "%s 喜欢安静的房间" % NAME}], context], admin)
    # an import that mentions her, whose wizard was never closed
    sheet = io.StringIO()
    writer = csv.writer(sheet)
    writer.writerow(['姓名', '手机', '微信'])
    writer.writerow([NAME, MOBILE, WECHAT])
    writer.writerow(["新客甲", '13600001111', ''])
    sheet = sheet.getvalue().encode('utf-8')
    session_id, _, _ = server.rpc(
        'wizard.beauty.customer.import.create', [context], admin)
    server.rpc('wizard.beauty.customer.import.execute', [session_id, {
                'start': {'file': binary(sheet), 'filename': 'old.csv'}},
            'import_', context], admin)
    return {
        'admin': admin, 'company': company, 'context': context, 'her': her,
        'other': other, 'photos': photos, 'consent': consent,
        'sheet': sheet, 'manager_id': manager_id,
        'frontdesk_id': frontdesk_id,
        }


def test_export_on_request(server, customer):
    "Her export holds her profile, care records... as JSON and .xlsx"
    wen = server.login('wen', PASSWORD)
    context = customer['context']
    extension, content = report(server, 'beauty.customer.personal_data_json',
        customer['her'], wen, context)
    assert extension == 'json'
    data = json.loads(content)
    text = json.dumps(data, ensure_ascii=False)
    for value in [NAME, WECHAT, MOBILE[-4:], "护士", "两颊泛红", "投诉等待太久",
            "季度计划"]:
        assert value in text, value
    assert OTHER_NAME not in text
    extension, content = report(server, 'beauty.customer.personal_data',
        customer['her'], wen, context)
    assert extension == 'xlsx'
    cells = xlsx_text(content)
    for value in [NAME, WECHAT, "两颊泛红"]:
        assert value in cells, value
    assert OTHER_NAME not in cells


def database_dump(server):
    "The whole database as text"
    if is_postgresql():
        return subprocess.run(['pg_dump', '--format=plain', '--dbname',
                pg_uri(server.name)], capture_output=True, check=True
            ).stdout.decode('utf-8')
    import sqlite3
    conn = sqlite3.connect(sqlite_path(server))
    try:
        return '\n'.join(conn.iterdump())
    finally:
        conn.close()


def secrets_of(customer):
    "What must not be found anywhere after her erasure"
    texts = [NAME, PINYIN, MOBILE, MOBILE_OLD, WECHAT,
        # as JSON stores it (ir.session.wizard data, dict fields)
        json.dumps(NAME)[1:-1]]
    blobs = [base64.b64encode(customer['sheet']).decode()[:40],
        base64.b64encode(customer['consent']).decode()[:40]]
    return texts + blobs


def file_store(server):
    "{path: bytes} of the database's file store"
    root = os.path.join(server.tmp, server.name)
    result = {}
    for base, _, files in os.walk(root):
        for filename in files:
            path = os.path.join(base, filename)
            with open(path, 'rb') as fp:
                result[path] = fp.read()
    return result


def test_erasure_leaves_nothing(server, customer):
    "After erasure neither the dump nor the file store knows her"
    before = database_dump(server)
    for secret in [NAME, MOBILE, MOBILE_OLD, WECHAT]:
        assert secret in before, "the test data is not where expected"
    files = file_store(server)
    assert any(p in files.values() for p in customer['photos'])
    assert customer['consent'] in files.values()

    wen = server.login('wen', PASSWORD)
    context = customer['context']
    her = customer['her']
    server.rpc('model.party.party.write', [
            [her], {'active': False}, context], wen)
    erase_context = dict(context, active_model='party.party',
        active_id=her, active_ids=[her])
    session_id, _, _ = server.rpc(
        'wizard.party.erase.create', [erase_context], wen)
    server.rpc('wizard.party.erase.execute', [
            session_id, {'ask': {'party': her}}, 'erase', erase_context],
        wen)
    server.rpc('wizard.party.erase.delete', [session_id, erase_context], wen)

    dump = database_dump(server)
    leaks = {}
    for secret in secrets_of(customer):
        if secret in dump:
            lines = [line for line in dump.splitlines() if secret in line]
            leaks[secret] = [line[:300] for line in lines[:3]]
    assert leaks == {}, json.dumps(leaks, ensure_ascii=False, indent=1)
    # the other customer is untouched
    assert OTHER_NAME in dump and OTHER_MOBILE in dump

    files = file_store(server)
    photos = set(customer['photos']) | {customer['consent']}
    kept = [p for p, data in files.items() if data in photos
        or NAME.encode() in data or MOBILE.encode() in data]
    assert kept == [], kept

    # her export is empty of her; the manager sees who erased, not whom
    extension, content = report(server, 'beauty.customer.personal_data_json',
        her, wen, context)
    text = content.decode('utf-8')
    for secret in [NAME, MOBILE, WECHAT, "两颊泛红"]:
        assert secret not in text
    rows = server.rpc('model.beauty.audit.search_read', [
            [('party', '=', her)], 0, None, None,
            ['action', 'user', 'old_value', 'new_value', 'record_name'],
            context], wen)
    assert any(r['action'] == 'erase' and r['user'] == customer['manager_id']
        for r in rows)
    assert all(not r['old_value'] and not r['new_value']
        and not r['record_name'] for r in rows), rows


@pytest.mark.skipif(is_postgresql(),
    reason="SQLite only: the raw database file (PostgreSQL: pg_dump)")
def test_erasure_sqlite_file(server, customer):
    "The SQLite file itself keeps no copy of her in its free pages"
    test_erasure_leaves_nothing  # runs first (module order)
    paths = [sqlite_path(server)] + [sqlite_path(server) + suffix
        for suffix in ['-wal', '-journal'] if os.path.exists(
            sqlite_path(server) + suffix)]
    for path in paths:
        with open(path, 'rb') as fp:
            raw = fp.read()
        for secret in [NAME, MOBILE, MOBILE_OLD, WECHAT]:
            assert secret.encode('utf-8') not in raw, (path, secret)


def sqlite_raw_leaks(server, secrets):
    "The secrets found in the SQLite files of the database"
    paths = [sqlite_path(server)] + [sqlite_path(server) + suffix
        for suffix in ['-wal', '-journal'] if os.path.exists(
            sqlite_path(server) + suffix)]
    leaks = []
    for path in paths:
        with open(path, 'rb') as fp:
            raw = fp.read()
        leaks += [(path, s) for s in secrets if s.encode('utf-8') in raw]
    return leaks


def dump_leaks(dump, secrets):
    leaks = {}
    for secret in secrets:
        if secret in dump:
            lines = [line for line in dump.splitlines() if secret in line]
            leaks[secret] = [line[:300] for line in lines[:3]]
    return leaks


def run_wizard(server, session, name, state, data, context, model, record):
    "Run the wizard on the record to the state (its button)"
    context = dict(context, active_model=model, active_id=record,
        active_ids=[record])
    session_id, _, _ = server.rpc(
        'wizard.%s.create' % name, [context], session)
    try:
        return server.rpc('wizard.%s.execute' % name, [
                session_id, data, state, context], session)
    finally:
        server.rpc('wizard.%s.delete' % name, [session_id, context], session)


def booking(server, path, body=None):
    "(status, JSON) of the public booking page"
    url = '%s%s/beauty/booking%s' % (server.url, server.name, path)
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data,
        headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode('utf-8', 'replace')


def book_online(server, store, note):
    "Her booking through the public page (as a customer books): its number"
    status, options = booking(server, '/options')
    assert status == 200, options
    today = dt.date.today()
    for service in options['services']:
        for days in range(1, 8):
            day = today + dt.timedelta(days=days)
            status, result = booking(server, '/slots?' + urlencode({
                        'store': store, 'service': service['id'],
                        'date': day.isoformat()}))
            assert status == 200, result
            if result['slots']:
                slot = result['slots'][0]
                status, result = booking(server, '', {
                        'name': NAME2, 'mobile': MOBILE2, 'note': note,
                        'store': store, 'service': service['id'],
                        'start': slot['start']})
                assert status == 200, result
                return result['booking']['number']
    raise AssertionError("no free slot in the demo's stores")


def test_erasure_other_modules(server, customer):
    """Another customer books online, gets her messages, a stored-value
    card topped up at the checkout (sale, receipt, ledger, account move) and
    rates her visit; after her erasure the dump, the raw SQLite file and her
    receipt no longer know her, while the sale, the card, its ledger and the
    accounting stay"""
    admin, company = customer['admin'], customer['company']
    context = customer['context']
    wen = server.login('wen', PASSWORD)
    # her messages go out by SMS, email and WeChat; the booking page is on
    server.rpc('model.beauty.appointment.configuration.write', [[1], {
                'customer_sms': True, 'customer_email': True,
                'customer_wechat': True, 'staff_sms': True,
                'online_booking': True, 'online_ip_limit': 1000,
                'online_mobile_limit': 1000, 'online_query_limit': 1000,
                }, context], admin)
    her, = server.rpc('model.party.party.create', [[{
                    'name': NAME2, 'mobile': MOBILE2, 'wechat': WECHAT2,
                    'contact_mechanisms': [('create', [{
                                    'type': 'email', 'value': EMAIL2}])],
                    }], context], admin)

    # the appointment she books online, confirmed by the salon: messages
    number = book_online(server, company,
        "微信 %s，%s 下午到" % (WECHAT2, NAME2))
    appointment, = server.rpc('model.beauty.appointment.search', [
            [('number', '=', number)], 0, None, None, context], admin)
    assert server.rpc('model.beauty.appointment.read', [
            [appointment], ['customer'], context], admin)[0]['customer'] \
        == her
    server.rpc('model.beauty.appointment.book', [[appointment], context],
        admin)
    notifications = server.rpc('model.beauty.notification.search_read', [
            [('appointment', '=', appointment)], 0, None, None,
            ['recipient', 'content', 'audience'], context], admin)
    recipients = {n['recipient'] for n in notifications
        if n['audience'] == 'customer'}
    assert any(MOBILE2 in r for r in recipients), notifications
    assert {EMAIL2, WECHAT2} <= recipients, notifications
    assert any(NAME2 in n['content'] for n in notifications), notifications

    # her stored-value card, topped up at the checkout
    today = dt.date.today()
    run_wizard(server, admin, 'beauty.pos.setup', 'setup', {'start': {
                'company': company,
                'first_date': {'__class__': 'date', 'year': today.year,
                    'month': 1, 'day': 1},
                'last_date': {'__class__': 'date', 'year': today.year,
                    'month': 12, 'day': 31},
                }}, context, 'company.company', company)
    card, = server.rpc('model.beauty.member.card.create', [[{
                    'customer': her, 'company': company,
                    'note': "%s 本人办卡，电话 %s" % (NAME2, MOBILE2)}],
            context], admin)
    point, = server.rpc('model.sale.point.search', [
            [('company', '=', company)], 0, 1, None, context], admin)
    cash, = server.rpc('model.sale.point.payment.method.search', [
            [('company', '=', company), ('kind', '=', 'cash')], 0, 1, None,
            context], admin)
    currency = server.rpc('model.beauty.member.card.read', [
            [card], ['currency'], context], admin)[0]['currency']
    run_wizard(server, admin, 'beauty.member.card.topup', 'topup', {
            'start': {'card': card, 'point': point, 'method': cash,
                'amount': {'__class__': 'Decimal', 'decimal': '2000'},
                'bonus': {'__class__': 'Decimal', 'decimal': '0'},
                'company': company, 'currency': currency}},
        context, 'beauty.member.card', card)
    sale, = server.rpc('model.sale.point.sale.search', [
            [('customer', '=', her)], 0, None, None, context], admin)

    def receipt():
        result = server.rpc('report.sale.point.sale.receipt.execute', [
                [sale], {'model': 'sale.point.sale', 'id': sale,
                    'ids': [sale]}, context], admin)
        content = unbinary(result[1])
        if isinstance(content, bytes):
            content = content.decode('utf-8', 'replace')
        return content
    assert NAME2 in receipt()

    # her rating of the visit, with her words
    marketing = server.rpc('model.ir.module.search', [
            [('name', '=', 'beauty_marketing'), ('state', '=', 'activated')],
            0, None, None, {}], admin)
    if marketing:
        lines = server.rpc('model.beauty.appointment.line.search_read', [
                [('appointment', '=', appointment)], 0, None, None,
                ['service', 'beautician'], context], admin)
        server.rpc('model.beauty.survey.create', [[{
                        'appointment': appointment, 'customer': her,
                        'company': company, 'token': 'erase-test-token',
                        'state': 'answered',
                        'expiry_date': {'__class__': 'date',
                            'year': today.year, 'month': today.month,
                            'day': today.day},
                        'comment': "我是%s，手机 %s，很满意" % (
                            NAME2, MOBILE2),
                        'lines': [('create', [{
                                        'service': l['service'],
                                        'beautician': l['beautician'],
                                        'rating': 5} for l in lines])],
                        }], context], admin)

    secrets = [NAME2, MOBILE2, WECHAT2, EMAIL2, json.dumps(NAME2)[1:-1]]
    dump = database_dump(server)
    for secret in [NAME2, MOBILE2, WECHAT2, EMAIL2]:
        assert secret in dump, "the test data is not where expected"

    def accounting():
        "Posted moves and the totals of their lines"
        return server.sql("SELECT COUNT(DISTINCT m.id), COUNT(l.id), "
            "SUM(l.debit), SUM(l.credit) FROM account_move AS m "
            "JOIN account_move_line AS l ON l.move = m.id "
            "WHERE m.state = 'posted'")[0]
    accounts = accounting()
    assert accounts[0] >= 1

    server.rpc('model.party.party.write', [
            [her], {'active': False}, context], wen)
    erase_context = dict(context, active_model='party.party',
        active_id=her, active_ids=[her])
    session_id, _, _ = server.rpc(
        'wizard.party.erase.create', [erase_context], wen)
    server.rpc('wizard.party.erase.execute', [
            session_id, {'ask': {'party': her}}, 'erase', erase_context],
        wen)
    server.rpc('wizard.party.erase.delete', [session_id, erase_context], wen)

    leaks = dump_leaks(database_dump(server), secrets)
    assert leaks == {}, json.dumps(leaks, ensure_ascii=False, indent=1)
    if not is_postgresql():
        assert sqlite_raw_leaks(server, secrets) == []
    receipt_text = receipt()
    for secret in [NAME2, MOBILE2, MOBILE2[-4:], WECHAT2]:
        assert secret not in receipt_text, secret

    # the business and its accounting stay, without her
    def count(query, *params):
        return server.sql(query, params)[0][0]
    assert count('SELECT COUNT(*) FROM beauty_appointment '
        'WHERE id = %s AND customer = %s', appointment, her) == 1
    assert count('SELECT COUNT(*) FROM sale_point_sale '
        'WHERE id = %s AND customer = %s', sale, her) == 1
    assert count('SELECT COUNT(*) FROM beauty_member_card '
        'WHERE id = %s AND customer = %s', card, her) == 1
    assert count('SELECT COUNT(*) FROM beauty_member_card_line '
        'WHERE card = %s', card) == 1
    balance = server.rpc('model.beauty.member.card.read', [
            [card], ['balance'], context], admin)[0]['balance']
    assert Decimal(balance['decimal']) == Decimal(2000)
    assert accounting() == accounts
    assert OTHER_NAME in database_dump(server)
