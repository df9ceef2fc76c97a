# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Benchmark the real server through JSON-RPC.

    python -m bench.run -d bench --workers 2

Starts bench.server (trytond's WSGI application, --workers processes, the
production configuration) on a free port, logs in as the bench front desk
and, for each operation of bench.ops: prepares samples, warms up, times
--iterations runs one after the other (the server's own time per operation,
X-Server-Time summed over its calls, and the client's), checks every result,
times the baselines (plain Tryton doing the same thing) on the same samples;
then measures the throughput of each group of operations with --clients
concurrent sessions. Prints every figure next to its target and baseline;
--json writes them to a file.
"""
import argparse
import os
import platform
import random
import socket
import subprocess
import sys
import threading
import time

from bench.common import (
    ROOT, USERS, activated, connect, log, trytond_env)
from bench.ops import operations
from bench.rpc import RPCError, Session

# operations per second with 2 workers (issue 8)
THROUGHPUT_TARGETS = {'list': 150, 'search': 40, 'book': 50}
SPEEDUP_TARGET = 50


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (k - low)


def summary(server, client, cpu=()):
    return {
        'n': len(server),
        'p50': percentile(server, 50), 'p95': percentile(server, 95),
        'p99': percentile(server, 99),
        'client_p50': percentile(client, 50),
        'client_p95': percentile(client, 95),
        'cpu_p50': percentile(list(cpu), 50),
        'cpu_p95': percentile(list(cpu), 95),
        }


class Bench:
    "What the operations share: the database and caches"

    def __init__(self, database, conn, user_company, modules):
        self.database = database
        self.conn = conn
        self.user_company = user_company
        self.modules = modules
        self.cache = {}

    def active_parties(self):
        if 'active parties' not in self.cache:
            self.cache['active parties'], = self.conn.execute(
                'SELECT count(*) FROM party_party WHERE active').fetchone()
        return self.cache['active parties']

    def read_rows(self, table, ids, names):
        "Rows of a table by id, in the order of ids (SQL, for the checks)"
        rows = self.conn.execute(
            'SELECT id, %s FROM "%s" WHERE id = ANY(%%s)' % (
                ', '.join('"%s"' % n for n in names), table),
            (list(ids),)).fetchall()
        by_id = {r[0]: dict(zip(names, r[1:])) for r in rows}
        return [by_id[i] for i in ids]


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def start_server(database, workers, port):
    env = trytond_env()
    # as in production (trytond-production.conf): no asserts
    env['PYTHONOPTIMIZE'] = '1'
    process = subprocess.Popen([
            sys.executable, '-m', 'bench.server', '-d', database,
            '--port', str(port), '--workers', str(workers)],
        env=env, cwd=ROOT)
    login, (_, password) = next(iter(USERS.items()))
    deadline = time.monotonic() + 120
    while True:
        try:
            Session('127.0.0.1', port, database, login, password)
            return process
        except (OSError, RPCError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the server did not start")
            time.sleep(0.5)


def stop_server(process):
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def prewarm(conn):
    """Load the tables and indexes the operations read into the OS cache,
    as on a server that has been running (pg_prewarm if available)"""
    tables = ['party_party', 'beauty_care_record']
    if conn.execute("SELECT 1 FROM pg_available_extensions "
            "WHERE name = 'pg_prewarm'").fetchone():
        conn.execute('CREATE EXTENSION IF NOT EXISTS pg_prewarm')
        for table in tables:
            relations = [table] + [r[0] for r in conn.execute(
                    'SELECT indexrelid::regclass::text FROM pg_index '
                    'WHERE indrelid = %s::regclass', (table,))]
            for relation in relations:
                conn.execute("SELECT pg_prewarm(%s, 'read')", (relation,))
    else:
        for table in tables:
            conn.execute('SELECT count(*) FROM "%s"' % table)
    conn.commit()


def time_operation(op, session, samples, iterations, run=None):
    # a bound method is a new object at each access: op.run is not op.run
    checked = run is None
    run = run or op.run
    server, client, cpu, errors = [], [], [], []
    for i in range(iterations):
        sample = samples[i % len(samples)]
        session.server_total = session.cpu_total = 0.
        start = time.perf_counter()
        result = run(session, sample)
        client.append(time.perf_counter() - start)
        server.append(session.server_total)
        cpu.append(session.cpu_total)
        if checked:
            try:
                op.check(sample, result)
            except AssertionError as exception:
                errors.append(str(exception))
    return server, client, cpu, errors


def throughput(ops, sessions, duration):
    """Run ops (random op and sample) from each client for duration
    seconds; sessions: a {login: Session} per client"""
    stop = time.monotonic() + duration
    counts = [0] * len(sessions)
    latencies = [[] for _ in sessions]
    failures = []

    def worker(i, client):
        rng = random.Random(i)
        while time.monotonic() < stop:
            op, samples = rng.choice(ops)
            sample = rng.choice(samples)
            session = client[op.user]
            session.server_total = 0.
            start = time.perf_counter()
            try:
                op.run(session, sample)
            except Exception as exception:  # noqa: BLE001
                failures.append(repr(exception))
                return
            latencies[i].append(time.perf_counter() - start)
            counts[i] += 1

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i, s))
        for i, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    all_latencies = [x for l in latencies for x in l]
    return {
        'ops': sum(counts), 'seconds': elapsed,
        'per_second': sum(counts) / elapsed,
        'client_p95': percentile(all_latencies, 95),
        'failures': failures,
        }


def ms(value):
    return '-' if value is None else '%.1f' % (value * 1000)


def report(results, throughputs, info):
    lines = []
    lines.append('Benchmark of %(database)s: %(customers)s customers, '
        '%(visits)s visits; %(workers)s workers; %(machine)s' % info)
    lines.append('Load average of the machine at the end: %s' % ' '.join(
            '%.1f' % l for l in info['load']))
    lines.append('Times in ms, measured in the server (X-Server-Time, all '
        'RPC calls of an operation); client = round trip; cpu = CPU time of '
        'the worker (without the database\'s).')
    header = '%-40s %5s %7s %7s %7s %9s %7s  %-30s %s' % (
        'operation', 'n', 'p50', 'p95', 'p99', 'client95', 'cpu50',
        'target', 'status')
    lines.append(header)
    lines.append('-' * len(header))
    for r in results:
        lines.append('%-40s %5d %7s %7s %7s %9s %7s  %-30s %s' % (
                r['name'][:40], r['n'], ms(r['p50']), ms(r['p95']),
                ms(r['p99']), ms(r['client_p95']), ms(r['cpu_p50']),
                r['target'], r['status']))
        for label, b in r['baselines'].items():
            lines.append('  %-38s %5d %7s %7s %7s %9s %7s  speed-up x%s' % (
                    ('baseline: ' + label)[:38], b['n'], ms(b['p50']),
                    ms(b['p95']), ms(b['p99']), ms(b['client_p95']),
                    ms(b['cpu_p50']),
                    '%.0f' % b['speedup'] if b['speedup'] else '-'))
        if r['errors']:
            lines.append('  WRONG RESULTS: %s' % '; '.join(r['errors'][:3]))
    if throughputs:
        lines.append('')
        lines.append('Throughput with %(workers)s workers, %(clients)s '
            'concurrent clients, %(duration)s s per group:' % info)
        for group, t in throughputs.items():
            target = THROUGHPUT_TARGETS.get(group)
            lines.append(
                '  %-10s %7.1f ops/s (%d in %.1f s, client p95 %s ms)  '
                'target >= %s/s  %s' % (
                    group, t['per_second'], t['ops'], t['seconds'],
                    ms(t['client_p95']), target or '-',
                    t['status']))
            if t['failures']:
                lines.append('    FAILURES: %s' % t['failures'][:3])
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-d', '--database', default='bench')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--iterations', type=int, default=200)
    parser.add_argument('--warmup', type=int, default=20)
    parser.add_argument('--baseline-iterations', type=int, default=10)
    parser.add_argument('--clients', type=int, default=4)
    parser.add_argument('--duration', type=float, default=20,
        help="seconds of each throughput measure (0: none)")
    parser.add_argument('-k', dest='select',
        help="only the operations whose name contains this")
    parser.add_argument('--no-prewarm', dest='prewarm', action='store_false')
    parser.add_argument('--json', help="write the figures to this file")
    args = parser.parse_args(argv)
    results, throughputs, info = run(**vars(args))
    return 0 if all(r['ok'] for r in results) and all(
        not t['failures'] for t in throughputs.values()) else 1


def run(database, workers=2, iterations=200, warmup=20,
        baseline_iterations=10, clients=4, duration=20, select=None,
        prewarm=True, json=None):
    import json as json_
    json_path = json
    conn = connect(database)
    modules = activated(conn)
    login = next(iter(USERS))
    company, = conn.execute(
        'SELECT company FROM res_user WHERE login = %s', (login,)).fetchone()
    customers, = conn.execute(
        "SELECT count(*) FROM party_party WHERE code LIKE 'C%%' "
        "AND mobile IS NOT NULL").fetchone()
    visits, = conn.execute(
        'SELECT count(*) FROM beauty_care_record').fetchone()
    bench = Bench(database, conn, company, modules)
    if prewarm:
        with_log('prewarm', lambda: globals()['prewarm'](conn))
    port = free_port()
    log('server with %s workers on port %s', workers, port)
    server = start_server(database, workers, port)
    results = []
    throughputs = {}
    try:
        users = {}

        def user_session(login):
            if login not in users:
                users[login] = Session('127.0.0.1', port, database, login,
                    USERS[login][1])
            return users[login]
        ops = [op for op in operations(bench)
            if not select or select in op.name]
        prepared = []
        for op in ops:
            session = user_session(op.user)
            samples = op.prepare()
            prepared.append((op, samples))
            log('%s (%s samples)', op.name, len(samples))
            # an operation may set its own counts (a nightly refresh)
            op_iterations = min(iterations,
                getattr(op, 'iterations', None) or iterations)
            time_operation(op, session, samples, min(
                    getattr(op, 'warmup', warmup), op_iterations))
            server_times, client_times, cpu_times, errors = time_operation(
                op, session, samples, op_iterations)
            result = summary(server_times, client_times, cpu_times)
            result.update(name=op.name, target=op.target, errors=errors,
                baselines={})
            for label, function in op.baselines().items():
                if not baseline_iterations:
                    break
                b_server, b_client, b_cpu, _ = time_operation(
                    op, session, samples, baseline_iterations, run=function)
                b = summary(b_server, b_client, b_cpu)
                b['speedup'] = (b['p50'] / result['p50']
                    if result['p50'] else None)
                result['baselines'][label] = b
            ok = not errors
            if op.target_p95 is not None:
                ok = ok and result['p95'] <= op.target_p95
            speedups = [b['speedup'] for label, b
                in result['baselines'].items() if 'search box' in label]
            if speedups and op.group == 'search':
                ok = ok and min(speedups) >= SPEEDUP_TARGET
            result['ok'] = ok
            result['status'] = 'OK' if ok else (
                'WRONG' if errors else 'MISS')
            results.append(result)
            log('  p50 %s p95 %s ms %s', ms(result['p50']),
                ms(result['p95']), result['status'])
        if duration:
            groups = {}
            for op, samples in prepared:
                if op.group in THROUGHPUT_TARGETS:
                    groups.setdefault(op.group, []).append((op, samples))
            for group, group_ops in groups.items():
                sessions = [{op.user: Session('127.0.0.1', port, database,
                            op.user, USERS[op.user][1])
                        for op, _ in group_ops} for _ in range(clients)]
                log('throughput of %s with %s clients', group, clients)
                t = throughput(group_ops, sessions, duration)
                target = THROUGHPUT_TARGETS[group]
                t['ok'] = (t['per_second'] >= target or workers != 2) and (
                    not t['failures'])
                t['status'] = 'OK' if t['ok'] else 'MISS'
                throughputs[group] = t
    finally:
        stop_server(server)
        conn.close()
    info = {
        'database': database, 'customers': customers, 'visits': visits,
        'workers': workers, 'clients': clients, 'duration': duration,
        'load': os.getloadavg(),
        'machine': '%s, %s cores, Python %s' % (
            platform.platform(terse=True), os.cpu_count(),
            platform.python_version()),
        }
    print(report(results, throughputs, info))
    if json_path:
        with open(json_path, 'w') as fp:
            json_.dump({'info': info, 'operations': results,
                    'throughput': throughputs}, fp, indent=1, default=str)
    return results, throughputs, info


def with_log(what, function):
    start = time.monotonic()
    function()
    log('%s: %.1f s', what, time.monotonic() - start)


if __name__ == '__main__':
    sys.exit(main())
