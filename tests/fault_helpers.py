# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Helpers of the fault tests (test_faults_*.py).

- ``private_cluster``: a PostgreSQL cluster of one test module (created as
  root with pg_createcluster) that the test may restart without disturbing
  the shared server; ``cluster_server`` builds a salon server on it and
  ``restart_cluster`` restarts it.
- ``Pause``: holds a writing transaction of trytond at a chosen statement,
  deterministically, so that a test can kill trytond or restart the
  database "in the middle":

  * PostgreSQL: a trigger on the table waits for an advisory lock the test
    holds; the test sees the transaction waiting on it in pg_stat_activity.
    Once nobody holds the lock (test connection closed, cluster
    restarted) the trigger costs nothing.
  * SQLite: a breakpoint in the trytond process (a ``sitecustomize``
    module given through PYTHONPATH adds an SQLite trace callback): the
    statement matching the armed pattern waits until released and tells
    the test it is there.

- ``in_background``: run a call in a thread and keep its outcome.
"""
import os
import re
import shutil
import subprocess
import threading
import time

import pytest

from salon_server import free_port, is_postgresql
from security_helpers import CORE_SCALE, SecureServer, sqlite_path

ADVISORY_KEY = 947_2026

# The breakpoint of the SQLite server processes (see Pause)
SITECUSTOMIZE = r'''
import os
import sqlite3
import threading
import time

_DIR = os.environ.get('BEAUTY_FAULT_HOOK_DIR')


def _trace(statement):
    arm = os.path.join(_DIR, 'arm')
    if not os.path.exists(arm):
        return
    try:
        with open(arm, encoding='utf-8') as fp:
            pattern = fp.read()
    except OSError:
        return
    import re
    if not re.search(pattern, statement):
        return
    taken = arm + '.taken-%s' % threading.get_ident()
    try:
        # only the first statement to match waits
        os.rename(arm, taken)
    except OSError:
        return
    with open(os.path.join(_DIR, 'reached.tmp'), 'w',
            encoding='utf-8') as fp:
        fp.write(statement)
    os.rename(os.path.join(_DIR, 'reached.tmp'),
        os.path.join(_DIR, 'reached'))
    while not os.path.exists(os.path.join(_DIR, 'release')):
        time.sleep(0.01)


if _DIR:
    _connect = sqlite3.connect

    def connect(*args, **kwargs):
        connection = _connect(*args, **kwargs)
        connection.set_trace_callback(_trace)
        return connection
    sqlite3.connect = connect
    sqlite3.dbapi2.connect = connect
'''


def hook_env(directory):
    """The environment of a trytond process with the SQLite breakpoint
    (files in directory)"""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, 'sitecustomize.py'), 'w') as fp:
        fp.write(SITECUSTOMIZE)
    path = [directory] + [p for p in os.environ.get(
            'PYTHONPATH', '').split(os.pathsep) if p]
    return {
        'BEAUTY_FAULT_HOOK_DIR': directory,
        'PYTHONPATH': os.pathsep.join(path),
        }


def server_uri(server):
    "The URI of the server's own database (PostgreSQL)"
    return server.env['TRYTOND_DATABASE_URI'].rstrip('/') + '/' + server.name


def sql(server, query, params=()):
    """Run SQL on the server's database, on its cluster (placeholders %s);
    return the rows"""
    if is_postgresql():
        import psycopg
        with psycopg.connect(server_uri(server), autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []
    import sqlite3
    conn = sqlite3.connect(sqlite_path(server), timeout=60)
    try:
        cursor = conn.execute(query.replace('%s', '?'), params)
        rows = cursor.fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


class Pause:
    """Stop the next writing transaction of the server at a statement.

    table, event ('INSERT' or 'UPDATE') and, for PostgreSQL, an optional
    condition on NEW (SQL) and, for SQLite, a regular expression the
    statement (with its parameters) matches.

    with Pause(server, ...) as pause:
        start the request in the background
        pause.wait()        # the transaction waits at the statement
        kill trytond / restart the database
        pause.release()     # (PostgreSQL: let an orphan backend finish)
    """

    def __init__(self, server, table, event='INSERT', when=None,
            pattern=None):
        self.server = server
        self.table = table
        self.event = event
        self.when = when
        self.pattern = pattern or r'^%s\s+(INTO\s+)?"%s"' % (
            event, re.escape(table))
        self.holder = None
        self.statement = None
        self.backend = None

    # PostgreSQL -----------------------------------------------------
    def _arm_postgresql(self):
        import psycopg
        sql(self.server,
            "CREATE OR REPLACE FUNCTION beauty_fault_pause() "
            "RETURNS trigger AS $$ BEGIN "
            "PERFORM pg_advisory_xact_lock_shared(%d); "
            "RETURN NEW; END $$ LANGUAGE plpgsql" % ADVISORY_KEY)
        sql(self.server, 'DROP TRIGGER IF EXISTS beauty_fault_pause ON "%s"'
            % self.table)
        sql(self.server,
            'CREATE TRIGGER beauty_fault_pause BEFORE %s ON "%s" '
            'FOR EACH ROW %s EXECUTE FUNCTION beauty_fault_pause()' % (
                self.event, self.table,
                'WHEN (%s)' % self.when if self.when else ''))
        self.holder = psycopg.connect(server_uri(self.server),
            autocommit=True)
        self.holder.execute('SELECT pg_advisory_lock(%s)', (ADVISORY_KEY,))

    def _waiting_postgresql(self):
        rows = sql(self.server,
            "SELECT pid, query FROM pg_stat_activity "
            "WHERE datname = %s AND wait_event_type = 'Lock' "
            "AND wait_event = 'advisory'", (self.server.name,))
        if rows:
            self.backend, self.statement = rows[0]
            return True
        return False

    def _release_postgresql(self):
        if self.holder is not None:
            try:
                self.holder.close()
            except Exception:
                pass
            self.holder = None

    def backend_gone(self, timeout=60):
        "Wait until the backend that was paused has ended"
        if not is_postgresql() or self.backend is None:
            return True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not sql(self.server,
                    "SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                    (self.backend,)):
                return True
            time.sleep(0.05)
        return False

    def _disarm_postgresql(self):
        self._release_postgresql()
        self.backend_gone()
        sql(self.server, 'DROP TRIGGER IF EXISTS beauty_fault_pause ON "%s"'
            % self.table)

    # SQLite ---------------------------------------------------------
    @property
    def directory(self):
        return self.server.env['BEAUTY_FAULT_HOOK_DIR']

    def _arm_sqlite(self):
        for name in os.listdir(self.directory):
            if name.startswith(('arm', 'reached', 'release')):
                os.remove(os.path.join(self.directory, name))
        with open(os.path.join(self.directory, 'arm.tmp'), 'w',
                encoding='utf-8') as fp:
            fp.write(self.pattern)
        os.rename(os.path.join(self.directory, 'arm.tmp'),
            os.path.join(self.directory, 'arm'))

    def _waiting_sqlite(self):
        path = os.path.join(self.directory, 'reached')
        if os.path.exists(path):
            with open(path, encoding='utf-8') as fp:
                self.statement = fp.read()
            return True
        return False

    def _release_sqlite(self):
        open(os.path.join(self.directory, 'release'), 'w').close()

    def _disarm_sqlite(self):
        self._release_sqlite()
        arm = os.path.join(self.directory, 'arm')
        if os.path.exists(arm):
            os.remove(arm)

    # ----------------------------------------------------------------
    def __enter__(self):
        if is_postgresql():
            self._arm_postgresql()
        else:
            self._arm_sqlite()
        return self

    def __exit__(self, *exc):
        if is_postgresql():
            self._disarm_postgresql()
        else:
            self._disarm_sqlite()

    def wait(self, timeout=120, thread=None):
        """Wait until a transaction is held at the statement; True if so
        (False when the timeout passed or the request thread ended)"""
        waiting = (self._waiting_postgresql if is_postgresql()
            else self._waiting_sqlite)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if waiting():
                return True
            if thread is not None and not thread.is_alive():
                return waiting()
            time.sleep(0.02)
        return False

    def release(self):
        if is_postgresql():
            self._release_postgresql()
        else:
            self._release_sqlite()


def in_background(function, *args):
    "Run function(*args) in a thread: (thread, {'value': result})"
    result = {}

    def run():
        try:
            result['value'] = function(*args)
        except BaseException as exception:
            result['value'] = exception
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def failed(outcome):
    "Whether the call of in_background did not succeed"
    value = outcome.get('value')
    return isinstance(value, Exception) or value[0] != 200 or (
        isinstance(value[1], dict) and 'error' in value[1])


def login_again(server, login, password, timeout=60):
    "Log in, waiting for the server (or its database) to be back"
    deadline = time.monotonic() + timeout
    while True:
        try:
            return server.login(login, password)
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


# A private PostgreSQL cluster to restart --------------------------------
@pytest.fixture(scope='module')
def private_cluster():
    """A PostgreSQL cluster of this test module only (pg_createcluster, as
    root): restarting it disturbs nobody"""
    if not is_postgresql():
        pytest.skip("PostgreSQL only: SQLite has no server to restart")
    if os.geteuid() != 0 or not shutil.which('pg_createcluster'):
        pytest.skip("creating a private cluster needs root and "
            "postgresql-common (pg_createcluster)")
    version = subprocess.run(['pg_lsclusters', '-h'], capture_output=True,
        text=True, check=True).stdout.split()[0]
    name = 'beautyfaults%s_%s' % (os.getpid(), free_port())
    port = free_port()
    subprocess.run(['pg_createcluster', version, name, '-p', str(port),
            '--', '--auth=trust', '--locale=C.UTF-8', '--encoding=UTF8'],
        check=True, capture_output=True)
    try:
        subprocess.run(['pg_ctlcluster', version, name, 'start'],
            check=True, capture_output=True)
        yield {'version': version, 'name': name,
            'uri': 'postgresql://postgres@127.0.0.1:%s/' % port}
    finally:
        subprocess.run(['pg_dropcluster', '--stop', version, name],
            capture_output=True)


def restart_cluster(cluster):
    "Restart the private cluster (fast: open transactions are aborted)"
    subprocess.run(['pg_ctlcluster', cluster['version'], cluster['name'],
            'restart', '-m', 'fast'], check=True, capture_output=True)


def cluster_server(cluster, name, modules, **kwargs):
    "A salon server (not started) whose database is on the private cluster"
    server = SecureServer(name, scale=kwargs.pop('scale', CORE_SCALE),
        modules=modules,
        extra_env={'TRYTOND_DATABASE_URI': cluster['uri']}, **kwargs)
    server.drop_postgresql = lambda name=None: None  # goes with the cluster
    return server


def stop_cluster_server(server):
    server.stop()
    shutil.rmtree(server.tmp, ignore_errors=True)
