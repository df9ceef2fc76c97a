# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""A real salon server for the cross-module tests.

Builds a database with the suite activated and demo data (through
tools/demo.py, as the demo does), then runs ``trytond`` as a separate
process serving the JSON-RPC and the sao web client on a free port.
The database backend is the one of the test run (TRYTOND_DATABASE_URI).
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
SAO = os.path.join(ROOT, '.sao', 'package')
ADMIN_PASSWORD = 'Salon-Test-2026'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def database_uri():
    return os.environ.get('TRYTOND_DATABASE_URI', 'sqlite://')


def is_postgresql():
    return database_uri().startswith('postgresql')


class SalonServer:
    "A database with the suite and demo data, served by trytond"

    def __init__(self, name, scale=0.02, modules=None, workers=1,
            extra_env=None):
        self.name = name
        self.scale = scale
        self.modules = modules
        self.workers = workers
        self.tmp = tempfile.mkdtemp(prefix='salon-server-')
        self.port = None
        self.process = None
        self.admin_password = ADMIN_PASSWORD
        self.env = dict(os.environ)
        self.env.pop('TRYTOND_CONFIG', None)
        self.env.update({
                'TRYTOND_DATABASE_URI': database_uri(),
                'TRYTOND_DATABASE__PATH': self.tmp,
                'TRYTOND_DATABASE__LANGUAGE': 'zh_CN',
                'TRYTOND_ATTACHMENT__PATH': os.path.join(
                    self.tmp, 'attachments'),
                'TRYTOND_WEB__ROOT': SAO,
                'TRYTOND_SESSION__MAX_ATTEMPT': '1000',
                'TRYTOND_SESSION__MAX_ATTEMPT_IP_NETWORK': '1000',
                })
        self.env.update(extra_env or {})
        self.log_path = os.path.join(self.tmp, 'trytond.log')

    @property
    def url(self):
        return 'http://127.0.0.1:%s/' % self.port

    def create(self):
        if is_postgresql():
            self.drop_postgresql()
        cmd = [sys.executable, os.path.join(ROOT, 'tools', 'demo.py'),
            '--database', self.name, '--scale', str(self.scale),
            '--password', self.admin_password,
            '--login-file', os.path.join(self.tmp, 'login')]
        if self.modules:
            cmd += ['--modules', *self.modules]
        subprocess.run(cmd, env=self.env, check=True, cwd=ROOT,
            stdout=subprocess.DEVNULL)
        return self

    def drop_postgresql(self):
        import psycopg
        uri = database_uri().rstrip('/') + '/postgres'
        with psycopg.connect(uri, autocommit=True) as conn:
            conn.execute(
                'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.name)

    def start(self):
        self.port = free_port()
        env = dict(self.env, TRYTOND_WEB__LISTEN='127.0.0.1:%s' % self.port)
        cmd = [os.path.join(BIN, 'trytond'), '-d', self.name]
        if self.workers > 1:
            cmd += ['-n', str(self.workers)]
        self.log = open(self.log_path, 'ab')
        self.process = subprocess.Popen(cmd, env=env, cwd=ROOT,
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("trytond exited:\n" + self.read_log())
            try:
                urllib.request.urlopen(self.url, timeout=2).read()
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.3)
        raise RuntimeError("trytond did not answer:\n" + self.read_log())

    def read_log(self):
        try:
            with open(self.log_path, encoding='utf-8', errors='replace') as fp:
                return fp.read()[-5000:]
        except OSError:
            return ''

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def close(self):
        self.stop()
        if is_postgresql():
            try:
                self.drop_postgresql()
            except Exception:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    # JSON-RPC ----------------------------------------------------------
    def rpc(self, method, params, session=None):
        return rpc_call(self.url, self.name, method, params, session)

    def login(self, login, password):
        "Return a session (login, user id, session key) for the credentials"
        result = self.rpc('common.db.login', [
                login, {'password': password}, 'zh_CN'])
        return login, result[0], result[1]


class RPCError(Exception):

    def __init__(self, error):
        super().__init__(error)
        self.error = error

    @property
    def kind(self):
        if isinstance(self.error, list) and self.error:
            return self.error[0]
        return str(self.error)


def rpc_call(url, database, method, params, session=None):
    data = json.dumps({
            'id': 1, 'method': method, 'params': params,
            }).encode('utf-8')
    request = urllib.request.Request(
        '%s%s/rpc/' % (url, database), data=data,
        headers={'Content-Type': 'application/json'})
    if session:
        import base64
        login, user_id, key = session
        token = base64.b64encode(
            ('%s:%s:%s' % (login, user_id, key)).encode()).decode()
        request.add_header('Authorization', 'Session ' + token)
    with urllib.request.urlopen(request, timeout=120) as response:
        result = json.loads(response.read())
    if result.get('error'):
        raise RPCError(result['error'])
    return result['result']
