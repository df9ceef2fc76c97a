# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"A minimal JSON-RPC client of trytond, as the web client calls it"
import base64
import datetime as dt
import gzip
import http.client
import json
import time
from decimal import Decimal


class RPCError(Exception):
    pass


def _decode(obj):
    if '__class__' in obj:
        kind = obj['__class__']
        if kind == 'date':
            return dt.date(obj['year'], obj['month'], obj['day'])
        if kind == 'datetime':
            return dt.datetime(obj['year'], obj['month'], obj['day'],
                obj['hour'], obj['minute'], obj['second'],
                obj.get('microsecond', 0))
        if kind == 'Decimal':
            return Decimal(obj['decimal'])
        if kind == 'bytes':
            return base64.decodebytes(obj['base64'].encode())
        if kind == 'timedelta':
            return dt.timedelta(seconds=obj['seconds'])
    return obj


class Session:
    """A user's session on a database. call() returns the result; the last
    call's times are in .elapsed (client, seconds) and .server_time
    (X-Server-Time of bench.server, or None)."""

    def __init__(self, host, port, database, login, password,
            language='zh_CN'):
        self.host, self.port, self.database = host, port, database
        self.login = login
        self.context = {}
        self.elapsed = self.server_time = None
        # sum of the server times since the last reset (several calls)
        self.server_total = self.cpu_total = 0.
        self._id = 0
        self._auth = None
        result = self._post('common.db.login', [
                login, {'password': password}, language])
        user_id, session = result[:2]
        self._auth = 'Session ' + base64.b64encode(
            ('%s:%s:%s' % (login, user_id, session)).encode()).decode()
        self.user_id = user_id
        self.context = self.call('model.res.user.get_preferences', True)

    def _post(self, method, params):
        self._id += 1
        body = json.dumps({
                'id': self._id, 'method': method, 'params': params,
                }, separators=(',', ':')).encode()
        # as browsers do: trytond streams large responses, compressed when
        # the client accepts it (otherwise one socket write per JSON token)
        headers = {
            'Content-Type': 'application/json',
            'Accept-Encoding': 'gzip',
            }
        if self._auth:
            headers['Authorization'] = self._auth
        start = time.perf_counter()
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=300)
        try:
            connection.request(
                'POST', '/%s/rpc/' % self.database, body, headers)
            response = connection.getresponse()
            data = response.read()
            server_time = response.getheader('X-Server-Time')
            server_cpu = response.getheader('X-Server-CPU')
        finally:
            connection.close()
        self.elapsed = time.perf_counter() - start
        self.server_time = float(server_time) if server_time else None
        self.server_total += self.server_time or 0.
        self.cpu_total += float(server_cpu) if server_cpu else 0.
        if response.status != 200:
            raise RPCError('%s %s: %s' % (
                    response.status, method, data[:500]))
        if data[:2] == b'\x1f\x8b':
            data = gzip.decompress(data)
        result = json.loads(data, object_hook=_decode)
        if result.get('error'):
            raise RPCError('%s: %s' % (method, result['error']))
        return result['result']

    def call(self, method, *args, context=None):
        "call('model.party.party.search', domain, 0, 10, None)"
        ctx = dict(self.context)
        if context:
            ctx.update(context)
        return self._post(method, list(args) + [ctx])
