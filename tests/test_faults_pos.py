# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Faults during a checkout paid with a stored-value card (beauty_pos).

- trytond killed (SIGKILL) in the middle of the checkout (the front desk's
  Process of a sale paid by the customer's card). The transaction is held
  at one of its statements (fault_helpers.Pause: a trigger waiting on an
  advisory lock on PostgreSQL, a breakpoint in trytond on SQLite), in turn:

  * at the ledger line of the card (the card's balance is already lowered),
  * at the beautician's commission (ledger and points written),
  * at the sale's change to done (everything else written).

  Afterwards: the sale is still open and unnumbered, no ledger line, points
  or commission of it, every card's balance equals the sum of its ledger
  (and its last running balance), no ledger line of a sale not done; the
  checkout redone charges the card once. BEAUTY_FAULT_TRIALS kills
  (default 3: each point once).
- A repeated Process (double click: two requests at once, through two
  trytond processes on PostgreSQL; then the client's retry of the same
  call) charges the card once; so does a double click on OK of the Pay
  wizard. BEAUTY_FAULT_CLICK_TRIALS rounds (default 4).
"""
import collections
import os
import signal
from decimal import Decimal

import pytest

from fault_helpers import (
    Pause, failed, hook_env, in_background, login_again, sql)
from salon_server import is_postgresql
from security_helpers import (
    CORE_MODULES, CORE_SCALE, SecureServer, Worker, collide, env_int)

TRIALS = env_int('BEAUTY_FAULT_TRIALS', 3)
CLICK_TRIALS = env_int('BEAUTY_FAULT_CLICK_TRIALS', 4)
PASSWORD = 'Qiantai-Lily-2046'
# the servers of test_audit's modules: one template
MODULES = CORE_MODULES
PRICE = Decimal('300.00')
# (table, event, PostgreSQL condition, SQLite statement pattern)
POINTS = [
    ('beauty_member_card_line', 'INSERT', None, None),
    ('beauty_commission', 'INSERT', None, None),
    ('sale_point_sale', 'UPDATE',
        "NEW.state = 'done' AND OLD.state = 'open'",
        r'''^UPDATE "sale_point_sale" .*SET .*'done\''''),
    ]


@pytest.fixture(scope='module')
def server():
    server = SecureServer('test_sec_faults_pos_%s' % os.getpid(),
        scale=CORE_SCALE, modules=MODULES)
    if not is_postgresql():
        server.env.update(hook_env(os.path.join(server.tmp, 'hooks')))
    try:
        server.create().start()
        yield server
    finally:
        server.close()


def money(value):
    return {'__class__': 'Decimal', 'decimal': str(value)}


def decimal(value):
    if isinstance(value, dict):
        return Decimal(value['decimal'])
    return Decimal(str(value))


@pytest.fixture(scope='module')
def salon(server):
    admin = server.login('admin', server.admin_password)
    company = server.ensure_company(admin)
    context = {'company': company}
    server.create_user(admin, 'lily', PASSWORD,
        ['beauty_customer.group_frontdesk'], company=company)
    lily = server.login('lily', PASSWORD)
    points = server.rpc('model.sale.point.search', [
            [('company', '=', company)], 0, 1, None, context], admin)
    assert points, "the demo's store has no point of sale"
    methods = {}
    for kind in ['cash', 'card']:
        methods[kind], = server.rpc(
            'model.sale.point.payment.method.search', [
                [('company', '=', company), ('kind', '=', kind)], 0, 1,
                None, context], admin)
    service, = server.rpc('model.product.product.search', [
            [('type', '=', 'service'), ('salable', '=', True),
                ('service_duration', '!=', None)],
            0, 1, [('id', 'ASC')], context], admin)
    employee, = server.rpc('model.company.employee.search', [
            [('company', '=', company)], 0, 1, [('id', 'ASC')], context],
        admin)
    return {'admin': admin, 'lily': lily, 'company': company,
        'context': context, 'point': points[0], 'methods': methods,
        'service': service, 'employee': employee}


def new_card(server, salon, name, mobile, amount=Decimal('3000')):
    "A new customer with a card topped up by the front desk: (party, card)"
    lily, context = salon['lily'], salon['context']
    customer, = server.rpc('model.party.party.create', [[{
                    'name': name, 'mobile': mobile}], context], lily)
    card, = server.rpc('model.beauty.member.card.create', [[{
                    'customer': customer, 'company': salon['company']}],
            context], lily)
    currency = server.rpc('model.beauty.member.card.read', [
            [card], ['currency'], context], lily)[0]['currency']
    wizard_context = dict(context, active_model='beauty.member.card',
        active_id=card, active_ids=[card])
    session_id, _, _ = server.rpc('wizard.beauty.member.card.topup.create',
        [wizard_context], lily)
    server.rpc('wizard.beauty.member.card.topup.execute', [session_id, {
                'start': {'card': card, 'point': salon['point'],
                    'method': salon['methods']['cash'],
                    'amount': money(amount), 'bonus': None,
                    'company': salon['company'], 'currency': currency}},
            'topup', wizard_context], lily)
    server.rpc('wizard.beauty.member.card.topup.delete',
        [session_id, wizard_context], lily)
    return customer, card


def new_sale(server, salon, customer, card=None):
    "An open sale of the service; paid by the card when given"
    values = {
        'point': salon['point'], 'company': salon['company'],
        'customer': customer,
        'lines': [('create', [{
                        'product': salon['service'], 'quantity': 1,
                        'kind': 'service',
                        'unit_list_price': money(PRICE),
                        'unit_gross_price': money(PRICE),
                        'base_price': money(PRICE),
                        'employees': [('create', [{
                                        'employee': salon['employee']}])],
                        }])],
        }
    if card:
        values['payments'] = [('create', [{
                        'method': salon['methods']['card'], 'card': card,
                        'amount': money(PRICE)}])]
    sale, = server.rpc('model.sale.point.sale.create', [[values],
            salon['context']], salon['lily'])
    return sale


def process(call, salon, sale, session=None):
    return call('model.sale.point.sale.process',
        [[sale], salon['context']], session or salon['lily'])


def ok(status, result):
    "Whether a call succeeded"
    return status == 200 and not (
        isinstance(result, dict) and 'error' in result)


def retried(answer):
    """The answer of a repeated call: 'answered' (nothing done) or the
    refusal of the button of a sale done (a clear error, no trace)"""
    status, result = answer
    if ok(status, result):
        return 'answered'
    assert status == 200 and result['error'][0] == 'UserError', result
    assert 'Traceback' not in str(result)
    return 'refused: UserError'


def click_outcome(result):
    """What the client of one of the clicks is told: answered, refused by a
    clear error, or told the server is busy (503: the sale is locked by
    the other click longer than trytond's retries)"""
    assert not isinstance(result, Exception), result
    status, value = result
    if status == 503:
        assert 'could not obtain lock' in value, value
        return 'busy (503)'
    assert status == 200, result
    if isinstance(value, dict) and 'error' in value:
        assert 'Traceback' not in str(value), value
        message = value['error'][1][0]
        # which refusal: the button of a done sale, or the payment added
        # to a closed sale
        return 'refused: %s (%s)' % (value['error'][0],
            'payment refused' if '不能再添加支付' in message
            else 'button refused' if 'process' in message else message)
    return 'answered'


def card_state(server, card):
    "(balance, sum of its ledger, last running balance, ledger lines)"
    balance, = sql(server,
        "SELECT principal_balance + bonus_balance FROM beauty_member_card "
        "WHERE id = %s", (card,))[0]
    lines = sql(server,
        "SELECT id, type, principal_amount + bonus_amount, "
        "principal_balance + bonus_balance, sale FROM beauty_member_card_line "
        "WHERE card = %s ORDER BY id", (card,))
    total = sum((cents(l[2]) for l in lines), Decimal(0))
    last = cents(lines[-1][3]) if lines else Decimal(0)
    return cents(balance), total, last, lines


def cents(value):
    "A stored amount (SQLite may give a float or the bytes of a decimal)"
    if isinstance(value, bytes):
        value = value.decode()
    return Decimal(str(value or 0)).quantize(Decimal('0.01'))


def ledger_problems(server):
    "Cards whose balance is not their ledger's, ledger lines of no sale done"
    problems = {}
    # in Python with decimals: SQLite's SUM does not add its decimals
    cards = {c: (cents(p), cents(b)) for c, p, b in sql(server,
            "SELECT id, principal_balance, bonus_balance "
            "FROM beauty_member_card")}
    sums = collections.defaultdict(lambda: [Decimal(0), Decimal(0)])
    last = {}
    for card, principal, bonus, principal_balance, bonus_balance in sql(
            server, "SELECT card, principal_amount, bonus_amount, "
            "principal_balance, bonus_balance FROM beauty_member_card_line "
            "ORDER BY id"):
        sums[card][0] += cents(principal)
        sums[card][1] += cents(bonus)
        last[card] = (cents(principal_balance), cents(bonus_balance))
    problems['balance is not the ledger sum'] = [
        c for c, balances in cards.items()
        if balances != tuple(sums.get(c, (Decimal(0), Decimal(0))))]
    problems['balance is not the last running balance'] = [
        c for c, balances in cards.items()
        if c in last and balances != last[c]]
    problems['ledger line of a sale not done'] = sql(server,
        "SELECT l.id FROM beauty_member_card_line l "
        "JOIN sale_point_sale s ON s.id = l.sale "
        "WHERE s.state NOT IN ('done', 'posted')")
    problems['card payment of a done sale without its ledger line'] = sql(
        server,
        "SELECT p.id FROM sale_point_payment p "
        "JOIN sale_point_sale s ON s.id = p.sale "
        "WHERE p.card IS NOT NULL AND s.state IN ('done', 'posted') "
        "AND NOT EXISTS (SELECT 1 FROM beauty_member_card_line l "
        "WHERE l.payment = p.id)")
    problems['card charged twice for a payment'] = sql(server,
        "SELECT payment FROM beauty_member_card_line WHERE payment IS NOT NULL "
        "GROUP BY payment, type HAVING COUNT(*) > 1")
    return {k: v for k, v in problems.items() if v}


def sale_traces(server, sale):
    "What a checkout of the sale leaves in the database"
    state, number = sql(server,
        "SELECT state, number FROM sale_point_sale WHERE id = %s",
        (sale,))[0]
    counts = {}
    for table, column in [
            ('beauty_member_card_line', 'sale'),
            ('beauty_points_line', 'sale'),
            ('beauty_commission', 'sale'),
            ]:
        counts[table] = sql(server,
            'SELECT COUNT(*) FROM "%s" WHERE "%s" = %%s' % (table, column),
            (sale,))[0][0]
    return state, number, counts


def integrity(server):
    if is_postgresql():
        return 'ok'
    return sql(server, 'PRAGMA integrity_check')[0][0]


def test_kill_during_checkout(server, salon):
    """SIGKILL in the middle of a card checkout: nothing of it, the card's
    balance is its ledger's; the checkout redone charges it once"""
    report = []
    for trial in range(TRIALS):
        table, event, when, pattern = POINTS[trial % len(POINTS)]
        customer, card = new_card(server, salon, "断电结账客户%s" % trial,
            '1376660%04d' % (os.getpid() % 1000 * 10 + trial))
        sale = new_sale(server, salon, customer, card)
        balance, total, last, lines = card_state(server, card)
        assert balance == total == last > PRICE

        with Pause(server, table, event, when=when,
                pattern=pattern) as pause:
            thread, outcome = in_background(process, server.call, salon,
                sale)
            assert pause.wait(thread=thread), (
                "the checkout never reached %s" % table, outcome)
            held = pause.statement
            server.process.send_signal(signal.SIGKILL)
            server.process.wait()
            # PostgreSQL: the orphan backend finishes its statement, finds
            # its client gone and rolls back
            pause.release()
            assert pause.backend_gone()
            thread.join(60)
        assert failed(outcome), outcome
        server.start()
        salon['lily'] = login_again(server, 'lily', PASSWORD)
        assert integrity(server) == 'ok'
        state, number, counts = sale_traces(server, sale)
        assert (state, number) == ('open', None), (
            "a half-written sale", table, state, number)
        assert counts == {'beauty_member_card_line': 0,
            'beauty_points_line': 0, 'beauty_commission': 0}, (table, counts)
        assert card_state(server, card) == (balance, total, last, lines)
        assert ledger_problems(server) == {}

        # the front desk processes the sale again: charged once
        status, result = process(server.call, salon, sale)
        assert ok(status, result), result
        state, number, counts = sale_traces(server, sale)
        assert state == 'done' and number
        assert counts['beauty_member_card_line'] == 1, counts
        after = card_state(server, card)
        assert after[0] == after[1] == after[2] == balance - PRICE
        assert ledger_problems(server) == {}
        # the client's retry of the same call (its answer lost): nothing
        # done, or refused (the sale is done)
        retried(process(server.call, salon, sale))
        assert card_state(server, card) == after
        report.append((table, held[:70]))
    for line in report:
        print("killed at %s (%s...)" % line)
    print("%s kills during a card checkout: nothing half written, the "
        "balance always the ledger's, every redo charged once" % TRIALS)


@pytest.fixture(scope='module')
def workers(server):
    "The server and, on PostgreSQL, a second trytond process on its database"
    extra = []
    if is_postgresql():
        extra.append(Worker(server).start())
    try:
        yield [server] + extra
    finally:
        for worker in extra:
            worker.stop()


def test_double_click_process(server, salon, workers):
    """Process clicked twice at once (through two workers), then the same
    call retried: the card is charged once"""
    outcomes = collections.Counter()
    lily = login_again(server, 'lily', PASSWORD)
    for trial in range(CLICK_TRIALS):
        customer, card = new_card(server, salon, "双击结账客户%s" % trial,
            '1377770%04d' % (os.getpid() % 1000 * 10 + trial))
        sale = new_sale(server, salon, customer, card)
        balance = card_state(server, card)[0]
        calls = [workers[i % len(workers)].call for i in range(2)]
        results = collide([
                (lambda call=call: process(call, salon, sale, lily))
                for call in calls])
        for result in results:
            outcomes[click_outcome(result)] += 1
        # the client retries (its answer lost)
        outcomes['retry ' + retried(process(server.call, salon, sale, lily))] += 1
        state, number, counts = sale_traces(server, sale)
        assert state == 'done' and number
        assert counts['beauty_member_card_line'] == 1, counts
        after = card_state(server, card)
        assert after[0] == after[1] == after[2] == balance - PRICE, after
        assert ledger_problems(server) == {}
    print("%s double clicks on Process (%s workers): %s; charged once "
        "each time" % (CLICK_TRIALS, len(workers), dict(outcomes)))


def run_pay(call, salon, session, wizard, payment):
    "OK on the Pay wizard with the payment"
    return call('wizard.sale.point.sale.pay.execute', [
            wizard, {'payment': payment}, 'pay', wizard_context(salon,
                payment['sale'])], session)


def wizard_context(salon, sale):
    return dict(salon['context'], active_model='sale.point.sale',
        active_id=sale, active_ids=[sale])


def test_double_click_pay(server, salon, workers):
    """OK of the Pay wizard clicked twice at once, then again: the card is
    charged once and the sale holds one card payment"""
    outcomes = collections.Counter()
    for trial in range(CLICK_TRIALS):
        # the wizard wants a fresh login
        lily = server.login('lily', PASSWORD)
        customer, card = new_card(server, salon, "双击付款客户%s" % trial,
            '1378880%04d' % (os.getpid() % 1000 * 10 + trial))
        sale = new_sale(server, salon, customer)
        balance = card_state(server, card)[0]
        status, created = server.call('wizard.sale.point.sale.pay.create',
            [wizard_context(salon, sale)], lily)
        assert status == 200 and isinstance(created, list), created
        wizard = created[0]
        payment = {'sale': sale, 'method': salon['methods']['card'],
            'card': card, 'amount': money(PRICE)}
        calls = [workers[i % len(workers)].call for i in range(2)]
        results = collide([
                (lambda call=call: run_pay(call, salon, lily, wizard,
                        payment)) for call in calls])
        # and once more (the client's retry)
        results.append(run_pay(server.call, salon, lily, wizard, payment))
        for result in results:
            outcomes[click_outcome(result)] += 1
        state, number, counts = sale_traces(server, sale)
        assert state == 'done' and number, state
        assert counts['beauty_member_card_line'] == 1, counts
        payments = sql(server, "SELECT card, amount FROM sale_point_payment "
            "WHERE sale = %s", (sale,))
        assert len(payments) == 1, payments
        after = card_state(server, card)
        assert after[0] == after[1] == after[2] == balance - PRICE, after
        assert ledger_problems(server) == {}
    print("%s double clicks on Pay (%s workers): %s; charged once, one "
        "payment each time" % (CLICK_TRIALS, len(workers), dict(outcomes)))

