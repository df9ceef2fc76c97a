# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""A real salon server for the cross-module tests.

Builds a database with the suite activated and demo data (through
tools/demo.py, as the demo does), then runs ``trytond`` as a separate
process serving the JSON-RPC and the sao web client on a free port.
The database backend is the one of the test run (TRYTOND_DATABASE_URI).
"""
import fcntl
import hashlib
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


def template_key(*args):
    """A key of the code of the modules and the demo, then of args: the
    templates of one code (several module lists, scales) live side by side
    """
    code = hashlib.sha1()
    paths = [os.path.join(ROOT, 'tools', 'demo.py')]
    for directory in sorted(os.listdir(ROOT)):
        if not directory.startswith('beauty_'):
            continue
        for dirpath, dirnames, filenames in os.walk(
                os.path.join(ROOT, directory)):
            dirnames[:] = sorted(
                d for d in dirnames if d not in {'tests', '__pycache__'})
            paths.extend(os.path.join(dirpath, f) for f in sorted(filenames)
                if f.endswith(('.py', '.xml', '.cfg', '.po', '.html')))
    for path in paths:
        code.update(path.encode())
        with open(path, 'rb') as fp:
            code.update(fp.read())
    arguments = hashlib.sha1(repr(args).encode())
    return code.hexdigest()[:10] + arguments.hexdigest()[:6]


def drop_stale_templates(cache, key):
    """Remove the SQLite templates and attachments of other code (those of
    the same code and other arguments are kept: a run uses several)"""
    keep = 'test_beauty_tpl_%s' % key[:10]
    for directory in [cache, os.path.join(cache, 'attachments')]:
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            if (name.startswith('test_beauty_tpl_')
                    and not name.startswith(keep)):
                path = os.path.join(directory, name)
                if os.path.isdir(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.remove(path)


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
        uri = self.env['TRYTOND_DATABASE_URI']
        if uri != database_uri() and not (
                is_postgresql() and uri.startswith('postgresql')):
            # a server of its own of another kind: built from scratch
            self._build(self.name, self.env)
            return self
        # Activating the suite and loading the demo takes a minute or
        # more; every server of a run with the same code, scale and
        # modules starts from a copy of one template database
        key = template_key(self.scale, self.modules, self.admin_password)
        cache = os.path.join(ROOT, 'var', 'cache', 'salon-templates')
        os.makedirs(cache, exist_ok=True)
        template = 'test_beauty_tpl_%s' % key
        env = dict(self.env,
            TRYTOND_DATABASE_URI=database_uri(),
            TRYTOND_DATABASE__PATH=cache,
            TRYTOND_ATTACHMENT__PATH=os.path.join(cache, 'attachments'))
        with open(os.path.join(cache, key + '.lock'), 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not self._template_exists(cache, template):
                self._build_template(cache, key, template, env)
            if uri != database_uri():
                # another cluster (the fault tests restart it): a dump of
                # the template restored there
                self._restore(template, uri)
            elif is_postgresql():
                self._postgresql('CREATE DATABASE "%s" TEMPLATE "%s"' % (
                        self.name, template))
            else:
                shutil.copyfile(
                    os.path.join(cache, template + '.sqlite'),
                    os.path.join(self.tmp, self.name + '.sqlite'))
            files = os.path.join(cache, 'attachments', template)
            if os.path.isdir(files):
                shutil.copytree(files,
                    os.path.join(self.tmp, 'attachments', self.name))
        return self

    def _build_template(self, cache, key, template, env):
        drop_stale_templates(cache, key)
        # built under another name, renamed when complete: a template is
        # never half built
        build = template + '_build'
        for directory in [cache, os.path.join(ROOT, 'var')]:
            marker = os.path.join(directory, build + '.demo-loaded')
            if os.path.exists(marker):
                os.remove(marker)
        files = os.path.join(cache, 'attachments', build)
        shutil.rmtree(files, ignore_errors=True)
        if is_postgresql():
            # on the shared server (drop_postgresql may be a cluster's)
            self._postgresql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)'
                % build)
            self._build(build, env)
            self._postgresql('ALTER DATABASE "%s" RENAME TO "%s"' % (
                    build, template))
        else:
            path = os.path.join(cache, build + '.sqlite')
            if os.path.exists(path):
                os.remove(path)
            self._build(build, env)
            # everything into the main file: the copies take only it
            import sqlite3
            connection = sqlite3.connect(path)
            connection.execute('PRAGMA wal_checkpoint(TRUNCATE)')
            connection.execute('PRAGMA journal_mode=DELETE')
            connection.close()
            os.rename(path, os.path.join(cache, template + '.sqlite'))
        if os.path.isdir(files):
            os.rename(files, os.path.join(cache, 'attachments', template))

    def _restore(self, template, uri):
        "Copy the template into the database self.name of the server uri"
        import psycopg
        with psycopg.connect(uri.rstrip('/') + '/postgres',
                autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)'
                % self.name)
            conn.execute(
                "CREATE DATABASE \"%s\" TEMPLATE template0 ENCODING 'UTF8'"
                % self.name)
        source = database_uri().rstrip('/') + '/' + template
        target = uri.rstrip('/') + '/' + self.name
        dump = subprocess.Popen(['pg_dump', '--no-owner', '-d', source],
            stdout=subprocess.PIPE)
        subprocess.run(['psql', '-q', '-v', 'ON_ERROR_STOP=1', '-d', target],
            stdin=dump.stdout, stdout=subprocess.DEVNULL, check=True)
        dump.stdout.close()
        if dump.wait():
            raise RuntimeError("pg_dump of %s failed" % template)

    def _template_exists(self, cache, template):
        if is_postgresql():
            # test.sh drops the templates of the previous run
            return bool(self._postgresql(
                    'SELECT 1 FROM pg_database WHERE datname = %s',
                    (template,)))
        return os.path.exists(os.path.join(cache, template + '.sqlite'))

    def _postgresql(self, query, params=None):
        import psycopg
        uri = database_uri().rstrip('/') + '/postgres'
        with psycopg.connect(uri, autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else None

    def _build(self, name, env):
        cmd = [sys.executable, os.path.join(ROOT, 'tools', 'demo.py'),
            '--database', name, '--scale', str(self.scale),
            '--password', self.admin_password,
            '--login-file', os.path.join(self.tmp, 'login')]
        if self.modules:
            cmd += ['--modules', *self.modules]
        subprocess.run(cmd, env=env, check=True, cwd=ROOT,
            stdout=subprocess.DEVNULL)

    def drop_postgresql(self, name=None):
        import psycopg
        uri = database_uri().rstrip('/') + '/postgres'
        with psycopg.connect(uri, autocommit=True) as conn:
            conn.execute(
                'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % (
                    name or self.name))

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
