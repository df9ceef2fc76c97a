# This file is part of the beauty salon suite. The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""A revoked right takes effect on every worker within seconds.

Three trytond processes serve one database (as behind the reverse proxy),
with the [cache] settings of trytond-production.conf (clean_timeout = 0:
PostgreSQL LISTEN/NOTIFY, SQLite the ir_cache table at each request). The
front desk reads care records through each of them (their caches are warm),
then the administrator, through the first one:

- removes her from the front desk group: every worker refuses her within
  REVOKE_SECONDS; she is given it back: every worker lets her in again;
- takes the read right off the access row of a trainee group he made:
  every worker refuses the trainee within REVOKE_SECONDS.

A worker left with Tryton's default clean_timeout (300 s) still lets her in
several seconds later: the setting is what makes revocation immediate.
"""
import os
import time

import pytest

from salon_server import is_postgresql
from security_helpers import ROOT, SecureServer, Worker, shipped_settings

# Several workers on one database is the PostgreSQL set-up of the README;
# SQLite is the single-process demo database: two trytond processes on one
# SQLite file do not see each other's cache resets reliably.
pytestmark = pytest.mark.skipif(
    not is_postgresql(), reason="several workers need PostgreSQL")

REVOKE_SECONDS = 5
PASSWORD = 'Qiantai-Lily-2046'
PRODUCTION = os.path.join(ROOT, 'trytond-production.conf')


def cache_env():
    settings = shipped_settings(PRODUCTION)
    return {'TRYTOND_CACHE__%s' % option.upper(): value
        for (section, option), value in settings.items()
        if section == 'cache'}


@pytest.fixture(scope='module')
def server():
    env = cache_env()
    assert env.get('TRYTOND_CACHE__CLEAN_TIMEOUT') == '0'
    server = SecureServer('test_sec_workers_%s' % os.getpid(),
        extra_env=env)
    workers = []
    try:
        server.create().start()
        workers = [Worker(server).start() for _ in range(2)]
        server.workers_ = [server] + workers
        yield server
    finally:
        for worker in workers:
            worker.stop()
        server.close()


@pytest.fixture(scope='module')
def lily(server):
    admin = server.login('admin', server.admin_password)
    user_id = server.create_user(admin, 'lily', PASSWORD,
        ['beauty_customer.group_frontdesk'])
    return {'admin': admin, 'id': user_id,
        'session': server.login('lily', PASSWORD),
        'group': server.group_id(admin, 'beauty_customer.group_frontdesk')}


def can_read(worker, session):
    "Whether the front desk may read care records through the worker"
    status, result = worker.call('model.beauty.care.record.search_read', [
            [], 0, 5, None, ['date'], {}], session)
    assert status == 200, (status, result)
    if isinstance(result, dict):
        assert result['error'][0] == 'UserError', result
        return False
    return True


def wait_all(workers, session, expected, timeout=REVOKE_SECONDS * 4):
    "Seconds until every worker answers as expected (None: never)"
    start = time.monotonic()
    pending = set(range(len(workers)))
    delays = {}
    while pending and time.monotonic() - start < timeout:
        for index in sorted(pending):
            if can_read(workers[index], session) == expected:
                delays[index] = time.monotonic() - start
                pending.discard(index)
        time.sleep(0.05)
    return delays if not pending else None


def test_group_removed_on_every_worker(server, lily):
    "Removing the user from her group reaches every worker"
    workers, session = server.workers_, lily['session']
    assert all(can_read(w, session) for w in workers)
    server.rpc('model.res.user.write', [[lily['id']], {
                'groups': [('remove', [lily['group']])]}, {}], lily['admin'])
    delays = wait_all(workers, session, False)
    assert delays is not None, "a worker still lets her in"
    print("group removed: refused by %s workers after %s s" % (
            len(workers), ', '.join('%.2f' % d for d in delays.values())))
    assert max(delays.values()) < REVOKE_SECONDS
    server.rpc('model.res.user.write', [[lily['id']], {
                'groups': [('add', [lily['group']])]}, {}], lily['admin'])
    delays = wait_all(workers, session, True)
    assert delays is not None and max(delays.values()) < REVOKE_SECONDS


def test_access_row_revoked_on_every_worker(server, lily):
    "Taking the read right off an access row reaches every worker"
    admin, workers = lily['admin'], server.workers_
    # a trainee group the administrator made, reading care records
    group, = server.rpc('model.res.group.create', [[{
                    'name': "实习生"}], {}], admin)
    access, = server.rpc('model.ir.model.access.create', [[{
                    'model': 'beauty.care.record', 'group': group,
                    'perm_read': True, 'perm_write': False,
                    'perm_create': False, 'perm_delete': False}], {}], admin)
    server.create_user(admin, 'xiao', 'Shixi-Xiao-2046')
    user_id, = server.rpc('model.res.user.search', [
            [('login', '=', 'xiao')], 0, 1, None, {}], admin)
    server.rpc('model.res.user.write', [[user_id], {
                'groups': [('add', [group])]}, {}], admin)
    session = server.login('xiao', 'Shixi-Xiao-2046')
    assert wait_all(workers, session, True) is not None
    server.rpc('model.ir.model.access.write', [[access], {
                'perm_read': False}, {}], admin)
    delays = wait_all(workers, session, False)
    assert delays is not None, "a worker still lets her read"
    print("access row revoked: refused by %s workers after %s s" % (
            len(workers), ', '.join('%.2f' % d for d in delays.values())))
    assert max(delays.values()) < REVOKE_SECONDS


def test_default_clean_timeout_is_stale(server, lily):
    "With Tryton's default (300 s) a worker keeps the revoked right"
    session = lily['session']
    stale = Worker(server, extra_env={
            'TRYTOND_CACHE__CLEAN_TIMEOUT': '300'}).start()
    try:
        assert can_read(stale, session)
        server.rpc('model.res.user.write', [[lily['id']], {
                    'groups': [('remove', [lily['group']])]}, {}],
            lily['admin'])
        assert wait_all(server.workers_, session, False) is not None
        time.sleep(REVOKE_SECONDS)
        assert can_read(stale, session), (
            "expected the stale cache of the default setting")
    finally:
        stale.stop()
        server.rpc('model.res.user.write', [[lily['id']], {
                    'groups': [('add', [lily['group']])]}, {}],
            lily['admin'])
