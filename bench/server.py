# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Serve trytond's WSGI application with several worker processes.

    python -m bench.server -d bench --workers 2 --port 8010

The `trytond` daemon of Tryton 8.0 is a single (threaded) process. Like
gunicorn --preload, this loads the pool once (trytond.application with
TRYTOND_DATABASE_NAMES), then forks the workers, which accept on the same
socket, one request at a time each. Each response carries the time the worker
spent on it in the header X-Server-Time (seconds) and the CPU time it used in
X-Server-CPU, so that the benchmarks can tell the server's time from the
client's and from the waiting for a core. Configuration: TRYTOND_CONFIG.
"""
import argparse
import os
import signal
import socket
import sys
import time


class Timing:
    "WSGI middleware adding X-Server-Time and X-Server-CPU to the responses"

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        start = time.perf_counter()
        cpu = time.process_time()

        def timed_start_response(status, headers, exc_info=None):
            headers = list(headers) + [
                ('X-Server-Time', '%.6f' % (time.perf_counter() - start)),
                ('X-Server-CPU', '%.6f' % (time.process_time() - cpu)),
                ]
            return start_response(status, headers, exc_info)
        return self.app(environ, timed_start_response)


def serve(databases, host, port, workers):
    os.environ["TRYTOND_DATABASE_NAMES"] = ",".join(databases)
    import logging
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from werkzeug.serving import BaseWSGIServer

    from trytond.application import app

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(256)
    wsgi = Timing(app)
    children = set()

    def spawn():
        pid = os.fork()
        if pid:
            children.add(pid)
            return
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        server = BaseWSGIServer(host, port, wsgi, fd=listener.fileno())
        try:
            server.serve_forever()
        finally:
            os._exit(0)

    def stop(signum, frame):
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for pid in list(children):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(workers):
        spawn()
    print('serving %s on http://%s:%s/ with %s workers' % (
            ', '.join(databases), host, port, workers), flush=True)
    while True:
        pid, _ = os.wait()
        children.discard(pid)
        # a worker that died is replaced
        spawn()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-d', '--database', dest='databases', nargs='+',
        required=True)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8010)
    parser.add_argument('--workers', type=int, default=2)
    args = parser.parse_args(argv)
    serve(args.databases, args.host, args.port, args.workers)


if __name__ == '__main__':
    main()
