# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""The public online booking page (beauty_appointment) under attack.

- hypothesis sends malformed and hostile bodies and query strings (not JSON,
  bad UTF-8, wrong types, huge numbers and texts, SQL, markup, another
  customer's mobile...): the answer is always a clean JSON refusal
  (400/404/409/429), never a server error, a stack trace or the data of a
  customer; the server logs no traceback. BEAUTY_FUZZ_EXAMPLES examples per
  route (default 60).
- rate limits hold: a burst of parallel bookings from one address (released
  by a barrier) gets no more through than the limit, and later ones are
  refused (429); the same for the searches of free times.

Skipped until beauty_appointment has landed (its tryton.cfg loads data).
The surveys' public page (beauty_marketing) gets the same tests when it
lands: test_survey_page_fuzzed.
"""
import json
import os
import sys
import urllib.error
import urllib.request

import pytest

from security_helpers import ROOT, SecureServer, collide, env_int

sys.path.insert(0, os.path.join(ROOT, 'tools'))
from demo import suite_modules  # noqa: E402

MODULES = ['beauty_customer', 'beauty_hr', 'beauty_appointment']
EXAMPLES = env_int('BEAUTY_FUZZ_EXAMPLES', 60)
VICTIM_NAME = "祝心怡"
VICTIM_MOBILE = '13566778899'
LEAK_SIGNS = ['Traceback', 'File "', 'site-packages', 'psycopg', 'sqlite3',
    'trytond.', 'KeyError', 'TypeError', 'ValueError', 'Exception',
    VICTIM_NAME, VICTIM_MOBILE, VICTIM_MOBILE[-4:] + '"']

pytestmark = pytest.mark.skipif(
    'beauty_appointment' not in suite_modules(),
    reason="beauty_appointment has not landed: its online booking page "
    "(routes /<db>/beauty/booking) is what these tests attack")


@pytest.fixture(scope='module')
def server():
    server = SecureServer('test_sec_public_%s' % os.getpid(), scale=0.01,
        modules=MODULES)
    try:
        server.create().start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope='module')
def admin(server):
    admin = server.login('admin', server.admin_password)
    # a customer whose data must never come out of the public page
    server.rpc('model.party.party.create', [[{
                    'name': VICTIM_NAME, 'mobile': VICTIM_MOBILE,
                    'wechat': 'victim_wx'}], {}], admin)
    return admin


def set_limits(server, admin, ip, mobile, query):
    server.rpc('model.beauty.appointment.configuration.write', [[1], {
                'online_booking': True, 'online_ip_limit': ip,
                'online_mobile_limit': mobile, 'online_query_limit': query,
                }, {}], admin)
    # the counters of earlier requests do not count
    server.sql('DELETE FROM beauty_appointment_online_attempt')


def request(server, path, data=None, method=None, headers=None):
    "(status, body as text) of a request to the public page"
    url = '%s%s/beauty/booking%s' % (server.url, server.name, path)
    req = urllib.request.Request(url, data=data, method=method,
        headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.read().decode('utf-8')
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode('utf-8', 'replace')


def check_clean(status, body):
    "A clean answer: no server error, JSON, nothing that should not be"
    assert status != 500 and status < 500, (status, body[:500])
    for sign in LEAK_SIGNS:
        assert sign not in body, (sign, body[:500])
    if status != 200:
        data = json.loads(body)
        assert data['ok'] is False and data['error'], data
        assert status in {400, 404, 409, 413, 429}, (status, body[:300])


def test_page_and_options_hold_no_customer(server, admin):
    "The page and its options name stores, services, staff; no customer"
    set_limits(server, admin, 10000, 1000, 10000)
    status, body = request(server, '')
    assert status == 200 and '<html' in body
    check_clean(status, body)
    status, body = request(server, '/options')
    assert status == 200
    check_clean(status, body)
    assert set(json.loads(body)) <= {'stores', 'services', 'beauticians',
        'ok', 'days', 'note_max', 'name_max', 'today', 'max_days'}


def test_hostile_bookings(server, admin):
    "Malformed and hostile booking requests get a clean refusal"
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    set_limits(server, admin, 10000, 1000, 10000)
    hostile = st.sampled_from([
            "' OR 1=1 --", "'; DROP TABLE party_party; --",
            '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
            '{{7*7}}', '${7*7}', '../../etc/passwd', '\x00', '\ud800',
            'A' * 100_000, '１３５６６７７８８９９', VICTIM_MOBILE,
            '+86' + VICTIM_MOBILE, VICTIM_NAME, '2026-02-30T25:61:00',
            '9999-12-31T23:59:59', '-1', '0', '1e309', 'NaN',
            ])
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-2 ** 70,
            max_value=2 ** 70), st.floats(allow_nan=False),
        st.text(max_size=200), hostile)
    values = st.recursive(scalars, lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=10), children, max_size=4)),
        max_leaves=8)
    keys = st.sampled_from(['name', 'mobile', 'note', 'store', 'service',
            'beautician', 'start', 'customer', 'id', '__class__'])
    bodies = st.one_of(
        st.dictionaries(keys, values, max_size=9).map(
            lambda d: json.dumps(d).encode()),
        values.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=300),
        st.just(b'{"name": "\xff\xfe", "mobile": 1}'),
        st.just(b'[' * 5000 + b']' * 5000))

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck))
    @given(bodies, st.sampled_from(['application/json', 'text/plain',
                'application/x-www-form-urlencoded']))
    def post(body, content_type):
        status, text = request(server, '', data=body, method='POST',
            headers={'Content-Type': content_type})
        check_clean(status, text)
    post()
    assert 'Traceback' not in server.read_log()


def test_hostile_searches(server, admin):
    "Malformed free-time searches get a clean refusal"
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from urllib.parse import urlencode
    set_limits(server, admin, 10000, 1000, 10000)
    values = st.one_of(st.text(max_size=50), st.sampled_from([
                "1 OR 1=1", "-1", "0", str(2 ** 70), "1e309", "2026-13-45",
                "0000-00-00", "9999-12-31", "<script>", "\x00", "%00",
                ]), st.integers().map(str))

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck))
    @given(st.dictionaries(st.sampled_from(
                ['store', 'service', 'beautician', 'date', 'x']), values,
            max_size=5))
    def search(params):
        status, text = request(server, '/slots?' + urlencode(params))
        check_clean(status, text)
    search()
    assert 'Traceback' not in server.read_log()


def test_booking_rate_limit_holds(server, admin):
    "A burst from one address gets no more bookings through than the limit"
    limit = 5
    set_limits(server, admin, limit, 1000, 10000)
    burst = env_int('BEAUTY_RATE_BURST', 20)
    body = json.dumps({'name': "测试", 'mobile': '13800000000',
            'store': 1, 'service': -1, 'start': 'x'}).encode()
    results = collide([(lambda: request(server, '', data=body,
                    method='POST',
                    headers={'Content-Type': 'application/json'}))
            for _ in range(burst)])
    statuses = [r[0] for r in results]
    for status, text in results:
        check_clean(status, text)
    passed = [s for s in statuses if s != 429]
    print("burst of %s bookings, limit %s: %s through, %s refused" % (
            burst, limit, len(passed), statuses.count(429)))
    assert len(passed) <= limit, statuses
    status, _ = request(server, '', data=body, method='POST',
        headers={'Content-Type': 'application/json'})
    assert status == 429


def test_search_rate_limit_holds(server, admin):
    "A burst of searches from one address gets no more through the limit"
    limit = 8
    set_limits(server, admin, 10000, 1000, limit)
    burst = env_int('BEAUTY_RATE_BURST', 20)
    results = collide([(lambda: request(server, '/slots?store=1'))
            for _ in range(burst)])
    for status, text in results:
        check_clean(status, text)
    passed = [r[0] for r in results if r[0] != 429]
    assert len(passed) <= limit, [r[0] for r in results]


@pytest.mark.skip(reason="beauty_marketing has not landed: its public "
    "satisfaction survey page gets the same fuzzing and rate limit tests")
def test_survey_page_fuzzed():
    pass
