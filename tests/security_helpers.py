# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Helpers of the security, fault, backup, privacy and audit tests.

- ``shipped_env()``: the security settings of the shipped trytond.conf as
  TRYTOND_* variables (SalonServer runs trytond from the environment only).
- ``SecureServer``: a SalonServer with those settings instead of the
  harness' lenient login limits.
- ``Worker``: one more trytond process serving the same database (a second
  worker behind the reverse proxy, with its own caches).
- ``call``: a JSON-RPC call returning (HTTP status, result or error).
- ``Barrier`` based helpers to make requests collide.
"""
import base64
import configparser
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request

from salon_server import (
    BIN, ROOT, RPCError, SalonServer, database_uri, free_port, is_postgresql)

SHIPPED_CONF = os.path.join(ROOT, 'trytond.conf')
SECURITY_SECTIONS = ['session', 'password', 'cache']


def env_int(name, default):
    "Number of trials: the default, or the full count from the environment"
    return int(os.environ.get(name, default))


def shipped_settings(path=SHIPPED_CONF):
    "{(section, option): value} of the security sections of a config file"
    parser = configparser.RawConfigParser()
    parser.read(path)
    settings = {}
    for section in SECURITY_SECTIONS:
        if parser.has_section(section):
            for option, value in parser.items(section):
                settings[section, option] = value
    return settings


def shipped_env(path=SHIPPED_CONF):
    env = {}
    for (section, option), value in shipped_settings(path).items():
        if (section, option) == ('password', 'forbidden') and not (
                os.path.isabs(value)):
            value = os.path.join(ROOT, value)
        env['TRYTOND_%s__%s' % (section.upper(), option.upper())] = value
    return env


# The servers that leave beauty_review out (with it a manager's manual card
# adjustment becomes a request waiting for approval): one list, so that they
# share one template database (SalonServer); the others run the whole suite
# at the salon fixture's scale, sharing another
CORE_MODULES = ['beauty_customer', 'beauty_hr', 'beauty_appointment',
    'beauty_pos', 'beauty_marketing']
CORE_SCALE = 0.01


def selected_modules():
    """The modules the servers of these tests activate: the whole suite, or
    BEAUTY_TEST_MODULES (comma separated) while iterating on one part"""
    modules = os.environ.get('BEAUTY_TEST_MODULES')
    if modules:
        return [m.strip() for m in modules.split(',') if m.strip()]


class SecureServer(SalonServer):
    "A salon server with the shipped security settings"

    def __init__(self, name, extra_env=None, **kwargs):
        kwargs.setdefault('modules', selected_modules())
        super().__init__(name, **kwargs)
        for key in ['TRYTOND_SESSION__MAX_ATTEMPT',
                'TRYTOND_SESSION__MAX_ATTEMPT_IP_NETWORK']:
            self.env.pop(key, None)
        self.env.update(shipped_env())
        self.env.update(extra_env or {})

    def call(self, method, params, session=None, timeout=120):
        return call(self.url, self.name, method, params, session,
            timeout=timeout)

    def sql(self, query, params=()):
        "Run SQL on the server's database (placeholders: %s); return rows"
        return run_sql(self, query, params)

    def group_id(self, session, xml_id):
        module, fs_id = xml_id.split('.')
        return self.rpc(
            'model.ir.model.data.get_id', [module, fs_id, {}], session)

    def create_user(self, admin, login, password, groups=(), name=None,
            must_change=False, company=None):
        "A staff member with the groups (xml ids), created by the admin"
        group_ids = [self.group_id(admin, g) for g in groups]
        values = {
            'login': login,
            'name': name or login,
            'password': password,
            'password_must_change': must_change,
            }
        if company:
            values['companies'] = [('add', [company])]
            values['company'] = company
        if group_ids:
            values['groups'] = [('add', group_ids)]
        user_id, = self.rpc(
            'model.res.user.create', [[values], {}], admin)
        return user_id

    def ensure_company(self, admin, name="丽人美容院"):
        """The salon's company (the demo may have none yet) with CNY; the
        administrator works in it. Returns its id."""
        rows = self.rpc('model.company.company.search_read', [
                [], 0, 1, None, ['id'], {}], admin)
        if rows:
            company_id = rows[0]['id']
        else:
            currencies = self.rpc('model.currency.currency.search', [
                    [('code', '=', 'CNY')], 0, 1, None, {}], admin)
            if not currencies:
                currencies = self.rpc('model.currency.currency.create', [[{
                                'name': "人民币", 'code': 'CNY',
                                'symbol': '¥', 'numeric_code': '156',
                                }], {}], admin)
            party_id, = self.rpc('model.party.party.create', [[{
                            'name': name}], {}], admin)
            company_id, = self.rpc('model.company.company.create', [[{
                            'party': party_id,
                            'currency': currencies[0]}], {}], admin)
        self.rpc('model.res.user.write', [[admin[1]], {
                    'companies': [('add', [company_id])],
                    'company': company_id}, {}], admin)
        return company_id

    def device_login(self, login, password, cookie=None, **params):
        """Log in as the web client does, from a device (cookie); return the
        session and the device cookie the server gives back."""
        parameters = dict(params, password=password)
        parameters['device_cookie'] = cookie
        status, result = self.call(
            'common.db.login', [login, parameters, 'zh_CN'])
        if status != 200:
            return status, None, None
        session = (login, result[0], result[1])
        status, cookie = self.call(
            'model.res.user.device.renew', [cookie, {}], session)
        assert status == 200, cookie
        return 200, session, cookie


class Worker:
    "One more trytond process on the database of a server"

    def __init__(self, server, extra_env=None, database=None):
        self.server = server
        self.database = database or server.name
        self.port = None
        self.process = None
        self.extra_env = extra_env or {}

    @property
    def url(self):
        return 'http://127.0.0.1:%s/' % self.port

    def start(self):
        self.port = free_port()
        env = dict(self.server.env, **self.extra_env)
        env['TRYTOND_WEB__LISTEN'] = '127.0.0.1:%s' % self.port
        self.log = open(self.server.log_path + '.%s' % self.port, 'ab')
        self.process = subprocess.Popen(
            [os.path.join(BIN, 'trytond'), '-d', self.database],
            env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(self.url, self.process)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def call(self, method, params, session=None, timeout=120):
        return call(self.url, self.database, method, params, session,
            timeout=timeout)

    def login(self, login, password):
        status, result = self.call(
            'common.db.login', [login, {'password': password}, 'zh_CN'])
        assert status == 200 and isinstance(result, list), result
        return login, result[0], result[1]


def binary(data):
    "bytes as JSON-RPC sends them"
    return {'__class__': 'bytes', 'base64': base64.b64encode(data).decode()}


def unbinary(value):
    if isinstance(value, dict) and value.get('__class__') == 'bytes':
        return base64.b64decode(value['base64'])
    return value


def sqlite_path(server, name=None):
    return os.path.join(server.tmp, (name or server.name) + '.sqlite')


def pg_uri(name):
    return database_uri().rstrip('/') + '/' + name


def run_sql(server, query, params=(), name=None):
    "Run SQL on a database of the server (default its own); return rows"
    name = name or server.name
    if is_postgresql():
        import psycopg
        with psycopg.connect(pg_uri(name), autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []
    else:
        import sqlite3
        conn = sqlite3.connect(sqlite_path(server, name), timeout=60)
        try:
            cursor = conn.execute(query.replace('%s', '?'), params)
            rows = cursor.fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()


def wait_http(url, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("trytond exited (%s)" % process.returncode)
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise RuntimeError("trytond did not answer at %s" % url)


def call(url, database, method, params, session=None, timeout=120):
    """A JSON-RPC call: (200, result), (200, error) when the server answered
    with an error object (then result is {'error': ...}), or (status, None)
    for an HTTP error such as 401 or 429."""
    data = json.dumps({
            'id': 1, 'method': method, 'params': params,
            }).encode('utf-8')
    request = urllib.request.Request(
        '%s%s/rpc/' % (url, database), data=data,
        headers={'Content-Type': 'application/json'})
    if session:
        login, user_id, key = session
        token = base64.b64encode(
            ('%s:%s:%s' % (login, user_id, key)).encode()).decode()
        request.add_header('Authorization', 'Session ' + token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            result = json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read().decode('utf-8', 'replace')
        return error.code, body
    if result.get('error'):
        return 200, {'error': result['error']}
    return 200, result['result']


def collide(functions, timeout=300):
    """Run the functions in threads released together by a barrier; return
    their results (an exception is returned as the result)."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait(timeout)
            results[index] = function()
        except BaseException as exception:
            results[index] = exception

    threads = [threading.Thread(target=run, args=(i, f), daemon=True)
        for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results


__all__ = ['ROOT', 'RPCError', 'SalonServer', 'SecureServer', 'Worker',
    'binary', 'call', 'collide', 'unbinary', 'database_uri', 'env_int', 'is_postgresql',
    'shipped_env', 'shipped_settings']
