# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Faults during a customer import, and repeated requests.

- trytond killed (SIGKILL) in the middle of an import (a writing
  transaction is open): afterwards not one customer of the file, no new
  source or tag, an intact database; the same import then succeeds and a
  second run imports nothing twice. BEAUTY_FAULT_TRIALS kills (default 2),
  BEAUTY_FAULT_ROWS rows per file (default 3000).
- PostgreSQL restarted in the middle of an import (a private cluster the
  test creates, as root): same checks, and trytond works again without a
  restart of its own.
- A double click on Import (two executions at once, released by a barrier)
  and a client retry of the same call import every row once.
- A double click on Save of a new customer creates her once.

Checkout and booking faults need beauty_pos and beauty_appointment: see
test_faults_pos.py and test_faults_appointment.py.
"""
import csv
import io
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time

import pytest

from fault_helpers import in_background, private_cluster  # noqa: F401
from security_helpers import (
    CORE_MODULES, CORE_SCALE, SecureServer, binary, collide, env_int,
    is_postgresql, pg_uri, sqlite_path)

ROWS = env_int('BEAUTY_FAULT_ROWS', 3000)
TRIALS = env_int('BEAUTY_FAULT_TRIALS', 2)


@pytest.fixture(scope='module')
def server():
    server = SecureServer('test_sec_faults_%s' % os.getpid())
    try:
        server.create().start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope='module')
def admin(server):
    admin = server.login('admin', server.admin_password)
    server.ensure_company(admin)
    return admin


def spreadsheet(prefix, rows=ROWS, source="老客推荐-%s"):
    "A CSV of new customers whose mobiles start with prefix (3 digits)"
    sheet = io.StringIO()
    writer = csv.writer(sheet)
    writer.writerow(['姓名', '手机', '来源', '标签'])
    for i in range(rows):
        writer.writerow(["导入客户%s%05d" % (prefix, i),
                '%s%08d' % (prefix, i), source % prefix, "导入-%s" % prefix])
    return sheet.getvalue().encode('utf-8')


def count(server, session, prefix):
    "Customers, sources and tags of the file with that prefix"
    context = {'active_test': False}
    parties = server.rpc('model.party.party.search_count', [
            [('name', 'like', "导入客户%s%%" % prefix)], context], session)
    sources = server.rpc('model.beauty.customer.source.search_count', [
            [('name', 'like', '%%-%s' % prefix)], context], session)
    tags = server.rpc('model.party.category.search_count', [
            [('name', '=', "导入-%s" % prefix)], context], session)
    return parties, sources, tags


def run_import(call, session, data, context=None):
    "The whole wizard as the client runs it: (status, result of execute)"
    context = context or {}
    status, created = call('wizard.beauty.customer.import.create',
        [context], session)
    assert status == 200, created
    session_id = created[0]
    status, result = call('wizard.beauty.customer.import.execute', [
            session_id, {'start': {'file': binary(data),
                    'filename': 'old.csv'}}, 'import_', context], session)
    if status == 200 and 'error' not in result:
        call('wizard.beauty.customer.import.delete',
            [session_id, context], session)
    return status, result


def imported(result):
    "(imported, rejected) of an import result"
    view = result.get('view') or {}
    values = dict(view.get('defaults') or {}, **(view.get('values') or {}))
    return values.get('imported'), values.get('rejected')


def writing(server):
    "Whether a transaction is writing into the database right now"
    if is_postgresql():
        import psycopg
        with psycopg.connect(pg_uri(server.name), autocommit=True) as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM pg_stat_activity "
                "WHERE datname = %s AND backend_xid IS NOT NULL "
                "AND state IN ('active', 'idle in transaction') "
                "AND pid != pg_backend_pid()",
                (server.name,)).fetchone()
        return row[0] > 0
    conn = sqlite3.connect(sqlite_path(server), timeout=0)
    try:
        conn.execute('BEGIN IMMEDIATE')
        conn.rollback()
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def wait_writing(server, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if writing(server):
            return True
        time.sleep(0.02)
    return False


def integrity(server):
    if is_postgresql():
        return 'ok'
    conn = sqlite3.connect(sqlite_path(server))
    try:
        return conn.execute('PRAGMA integrity_check').fetchone()[0]
    finally:
        conn.close()


def test_kill_during_import(server, admin):
    "SIGKILL in the middle of an import: nothing of it, then it redone"
    rng = random.Random(7)
    report = []
    for trial in range(TRIALS):
        prefix = '15%d' % (9 - trial % 10)
        data = spreadsheet(prefix)
        admin = server.login('admin', server.admin_password)
        thread, outcome = in_background(
            run_import, server.call, admin, data)
        assert wait_writing(server), "the import never started writing"
        # somewhere in the middle of the transaction
        time.sleep(rng.uniform(0, 0.5))
        still_writing = writing(server)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        thread.join(60)
        assert isinstance(outcome.get('value'), Exception) or (
            outcome['value'][0] != 200), outcome
        server.start()
        admin = server.login('admin', server.admin_password)
        assert integrity(server) == 'ok'
        assert count(server, admin, prefix) == (0, 0, 0), (
            "half an import is in the archive")
        # the salon imports the file again
        status, result = run_import(server.call, admin, data)
        assert status == 200 and imported(result) == (ROWS, 0), result
        assert count(server, admin, prefix) == (ROWS, 1, 1)
        status, result = run_import(server.call, admin, data)
        assert imported(result) == (0, ROWS), "imported twice"
        assert count(server, admin, prefix) == (ROWS, 1, 1)
        report.append(still_writing)
    print("%s kills during an import of %s rows (%s while writing): "
        "nothing half imported, every redo complete" % (
            TRIALS, ROWS, sum(report)))


def test_double_click_import(server, admin):
    "Import clicked twice at once, then retried: every row once"
    prefix = '147'
    data = spreadsheet(prefix, rows=500)
    results = collide([
            (lambda: run_import(server.call, admin, data))
            for _ in range(2)])
    outcomes = []
    for result in results:
        assert not isinstance(result, Exception), result
        status, value = result
        assert status == 200, value
        if 'error' in value:
            # the loser: the customers' mobiles are taken, a clear error
            assert value['error'][0] == 'UserError', value
            outcomes.append('refused')
        else:
            outcomes.append(imported(value))
    assert (500, 0) in outcomes, outcomes
    assert count(server, admin, prefix) == (500, 1, 1)
    # the client sends the same call again (lost answer)
    status, value = run_import(server.call, admin, data)
    assert imported(value) == (0, 500)
    assert count(server, admin, prefix) == (500, 1, 1)
    print("double click on import:", outcomes)


def test_double_click_new_customer(server, admin):
    "Save clicked 4 times at once on a new customer: one customer"
    clicks = 4
    values = {'name': "双击客户", 'mobile': '13698765432'}
    results = collide([
            (lambda: server.call('model.party.party.create', [
                        [values], {}], admin)) for _ in range(clicks)])
    created = [r for r in results if isinstance(r[1], list)]
    refused = [r for r in results if isinstance(r[1], dict)]
    assert len(created) == 1 and len(refused) == clicks - 1, results
    for status, value in refused:
        assert status == 200 and value['error'][0] in {
            'UserError', 'ValidationError', 'SQLConstraintError'} or (
            value['error'][0].endswith('Error')), value
        assert 'Traceback' not in str(value)
    assert server.rpc('model.party.party.search_count', [
            [('mobile', '=', '+8613698765432')], {}], admin) == 1


@pytest.fixture(scope='module')
def restart_server(private_cluster):
    # the import is in beauty_customer; the servers of the fault tests on a
    # private cluster share one template (restored there)
    server = SecureServer('test_sec_restart', scale=CORE_SCALE,
        modules=CORE_MODULES,
        extra_env={'TRYTOND_DATABASE_URI': private_cluster['uri']})
    server.drop_postgresql = lambda: None  # the cluster goes as a whole
    try:
        server.create().start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.tmp, ignore_errors=True)


def test_database_restart_during_import(restart_server, private_cluster):
    "PostgreSQL restarts in the middle of an import: nothing half done"
    server = restart_server
    admin = server.login('admin', server.admin_password)
    server.ensure_company(admin)
    prefix = '166'
    data = spreadsheet(prefix)

    def cluster_writing():
        import psycopg
        uri = private_cluster['uri'] + server.name
        with psycopg.connect(uri, autocommit=True) as conn:
            return conn.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s "
                "AND backend_xid IS NOT NULL "
                "AND state IN ('active', 'idle in transaction') "
                "AND pid != pg_backend_pid()", (server.name,)
                ).fetchone()[0] > 0

    thread, outcome = in_background(run_import, server.call, admin, data)
    deadline = time.monotonic() + 120
    while not cluster_writing():
        assert time.monotonic() < deadline, "the import never wrote"
        time.sleep(0.02)
    subprocess.run(['pg_ctlcluster', private_cluster['version'],
            private_cluster['name'], 'restart', '-m', 'fast'],
        check=True, capture_output=True)
    thread.join(120)
    value = outcome.get('value')
    assert isinstance(value, Exception) or value[0] != 200 or (
        'error' in value[1]), value
    # the same trytond serves again (its pool reconnects)
    deadline = time.monotonic() + 60
    while True:
        try:
            admin = server.login('admin', server.admin_password)
            break
        except Exception:
            assert time.monotonic() < deadline
            time.sleep(0.5)
    assert count(server, admin, prefix) == (0, 0, 0)
    status, result = run_import(server.call, admin, data)
    assert status == 200 and imported(result) == (ROWS, 0), result
    assert count(server, admin, prefix) == (ROWS, 1, 1)
