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

The public satisfaction survey page of beauty_marketing
(/<db>/beauty/survey/<token>) gets the same treatment: hostile tokens (GET
and POST) and hostile form bodies on a valid link get a clean refusal
(404/400/410/413), never a server error, a stack trace or the customer's
data, and a refused answer saves nothing; a used link is refused (410), a
rating outside 1-5 is refused (400).

Skipped until beauty_appointment has landed (its tryton.cfg loads data); the
survey tests until beauty_marketing has.
"""
import datetime as dt
import json
import os
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

from security_helpers import (
    CORE_MODULES, CORE_SCALE, ROOT, SecureServer, collide, env_int)

sys.path.insert(0, os.path.join(ROOT, 'tools'))
from demo import suite_modules  # noqa: E402

# beauty_pos and beauty_marketing: the survey page
MODULES = CORE_MODULES
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
    server = SecureServer('test_sec_public_%s' % os.getpid(),
        scale=CORE_SCALE,
        modules=[m for m in MODULES if m in suite_modules()])
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


survey_landed = pytest.mark.skipif(
    'beauty_marketing' not in suite_modules(),
    reason="beauty_marketing has not landed: its public satisfaction "
    "survey page (routes /<db>/beauty/survey/<token>)")
SURVEY_STATUSES = {400, 404, 410, 413}


def make_surveys(server, admin, count):
    """Pending surveys of done or booked appointments of the demo, for the
    customer whose data must never come out; return [(id, token, line ids)]
    """
    victim, = server.rpc('model.party.party.search', [
            [('name', '=', VICTIM_NAME)], 0, 1, None, {}], admin)
    # the administrator works in the first store: its appointments
    company = server.ensure_company(admin)
    rows = server.sql(
        'SELECT a.id, a.company FROM beauty_appointment AS a '
        'WHERE a.company = %s AND NOT EXISTS (SELECT 1 FROM beauty_survey '
        'AS s WHERE s.appointment = a.id) '
        'AND EXISTS (SELECT 1 FROM beauty_appointment_line AS l '
        'WHERE l.appointment = a.id) ORDER BY a.id LIMIT %s',
        (company, count))
    assert len(rows) == count, "the demo has too few appointments"
    expiry = dt.date.today() + dt.timedelta(days=7)
    result = []
    for appointment, company in rows:
        lines = server.sql(
            'SELECT service, beautician FROM beauty_appointment_line '
            'WHERE appointment = %s ORDER BY id', (appointment,))
        token = secrets.token_urlsafe(24)
        survey, = server.rpc('model.beauty.survey.create', [[{
                        'appointment': appointment,
                        'customer': victim,
                        'company': company,
                        'token': token,
                        'expiry_date': {'__class__': 'date',
                            'year': expiry.year, 'month': expiry.month,
                            'day': expiry.day},
                        'lines': [('create', [{
                                        'service': service,
                                        'beautician': beautician,
                                        } for service, beautician in lines])],
                        }], {'company': company}], admin)
        line_ids = [r[0] for r in server.sql(
                'SELECT id FROM beauty_survey_line WHERE survey = %s '
                'ORDER BY id', (survey,))]
        result.append((survey, token, line_ids))
    return result


def survey_request(server, token, data=None, headers=None, quote=True):
    "(status, body) of the survey page of the token (POST with data)"
    if quote:
        token = urllib.parse.quote(token, safe='')
    url = '%s%s/beauty/survey/%s' % (server.url, server.name, token)
    req = urllib.request.Request(url, data=data,
        method='POST' if data is not None else 'GET', headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.read().decode('utf-8', 'replace')
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode('utf-8', 'replace')


def check_survey_clean(status, body, allowed=SURVEY_STATUSES):
    "A clean answer of the survey page: no server error, nothing leaked"
    assert status < 500, (status, body[:500])
    for sign in LEAK_SIGNS:
        assert sign not in body, (sign, body[:500])
    assert status == 200 or status in allowed, (status, body[:300])


def survey_state(server, survey):
    "(state, comment, [ratings]) as stored"
    (state, comment), = server.sql(
        'SELECT state, comment FROM beauty_survey WHERE id = %s', (survey,))
    ratings = [r[0] for r in server.sql(
            'SELECT rating FROM beauty_survey_line WHERE survey = %s '
            'ORDER BY id', (survey,))]
    return state, comment, ratings


def reset_survey(server, survey):
    server.sql("UPDATE beauty_survey SET state = 'pending', comment = NULL, "
        "answered_date = NULL WHERE id = %s", (survey,))
    server.sql('UPDATE beauty_survey_line SET rating = NULL '
        'WHERE survey = %s', (survey,))


def form(fields):
    return urllib.parse.urlencode(fields).encode()


@survey_landed
def test_survey_page_fuzzed(server, admin):
    """Hostile tokens and hostile answers get a clean refusal; what is
    refused saves nothing, what is taken is a rating of 1 to 5"""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    (survey, token, line_ids), (used, used_token, used_lines) = make_surveys(
        server, admin, 2)
    # the form of the visit names services and beauticians, not her
    status, body = survey_request(server, token)
    assert status == 200 and 'rating_%s' % line_ids[0] in body
    check_survey_clean(status, body)
    status, body = survey_request(server, used_token, form(
            {'rating_%s' % i: '5' for i in used_lines}),
        headers={'Content-Type': 'application/x-www-form-urlencoded'})
    assert status == 200, (status, body[:300])
    assert survey_state(server, used)[0] == 'answered'

    hostile = [
        "' OR 1=1 --", "'; DROP TABLE beauty_survey; --", "%' OR '1'='1",
        '<script>alert(1)</script>', '{{7*7}}', '${7*7}', '../../etc/passwd',
        '..', '.', '\x00', token + '\x00', '\x00' + token, token + "'",
        token[:-1], token.upper(), token + ' ', ' ' + token, 'A' * 5000,
        '１２３', VICTIM_MOBILE, VICTIM_NAME, '-1', '0', '*', '%', '_' * 32,
        used_token, str(survey), 'null', 'None', '\ud7ff' * 10,
        ]
    tokens = st.one_of(st.sampled_from(hostile),
        st.text(min_size=1, max_size=80),
        st.text(alphabet='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
            '0123456789-_', min_size=32, max_size=32))

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck))
    @given(tokens, st.booleans())
    def hostile_token(value, post):
        # the guard against guessing links is tested on its own
        server.sql('DELETE FROM beauty_appointment_online_attempt')
        data = form({'rating_%s' % i: '5' for i in line_ids}) if post \
            else None
        status, text = survey_request(server, value, data, headers={
                'Content-Type': 'application/x-www-form-urlencoded'})
        check_survey_clean(status, text, allowed={404, 405, 410})
        if value != used_token:
            # with a '/' the address is another one (405: POST only)
            assert status == 404 or (status == 405 and '/' in value), (
                value, status, text[:300])
        else:
            assert status == 410, (status, text[:300])
    hostile_token()
    assert survey_state(server, survey) == ('pending', None, [None] * len(
            line_ids))

    # answers to the valid link
    ratings = st.one_of(
        st.sampled_from(['1', '3', '5', '0', '6', '-1', '5.0', '4 ', '٣',
                '1e3', str(2 ** 70), '', 'NaN', "5' OR 1=1", '\x00',
                '<b>5</b>', '五']),
        st.text(max_size=20), st.integers(-10, 10).map(str))
    comments = st.one_of(st.none(), st.text(max_size=300), st.sampled_from([
                '<script>alert(1)</script>', "'); DELETE FROM beauty_survey;",
                '\x00很好\x00', 'A' * 3000, '好' * 1500, '\ud7ff',
                VICTIM_NAME]))
    keys = st.sampled_from(['rating_%s' % i for i in line_ids]
        + ['rating_%s' % i for i in used_lines]
        + ['rating_', 'rating_-1', 'rating_0', 'comment', 'token', 'state',
            'customer', 'id'])
    fields = st.tuples(
        st.fixed_dictionaries({'rating_%s' % i: ratings for i in line_ids}),
        st.dictionaries(keys, st.one_of(ratings, comments.map(
                    lambda c: c or '')), max_size=4),
        comments)

    def encode(values, kind):
        first, extra, comment = values
        items = list(first.items()) + list(extra.items())
        if comment is not None:
            items.append(('comment', comment))
        if kind == 'form':
            return (urllib.parse.urlencode(items).encode(),
                'application/x-www-form-urlencoded')
        if kind == 'multipart':
            boundary = 'salonboundary'
            parts = []
            for name, value in items:
                parts.append('--%s\r\nContent-Disposition: form-data; '
                    'name="%s"\r\n\r\n%s\r\n' % (boundary, name, value))
            parts.append('--%s--\r\n' % boundary)
            return (''.join(parts).encode('utf-8', 'surrogatepass'),
                'multipart/form-data; boundary=' + boundary)
        if kind == 'json':
            return (json.dumps(dict(items)).encode(), 'application/json')
        return (json.dumps({'id': 1, 'method': 'model.beauty.survey.answer',
                    'params': [token, dict(items)]}).encode(),
            'application/json')
    raw = st.one_of(
        st.binary(max_size=300).map(lambda b: (b,
                'application/x-www-form-urlencoded')),
        st.sampled_from([
                (b'rating_%d=%%ff%%fe&comment=%%00' % line_ids[0],
                    'application/x-www-form-urlencoded'),
                (b'--x\r\nContent-Disposition: form-data; name="comment"'
                    b'\r\n\r\n\xff\xfe', 'multipart/form-data; boundary=x'),
                (b'garbage', 'multipart/form-data'),
                (b'rating_1=5', 'text/plain'),
                (b'&' * 10000, 'application/x-www-form-urlencoded'),
                ]))
    bodies = st.one_of(
        st.tuples(fields, st.sampled_from(
                ['form', 'multipart', 'json', 'jsonrpc'])).map(
            lambda t: encode(*t)),
        raw)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck))
    @given(bodies)
    def answer(body):
        data, content_type = body
        status, text = survey_request(server, token, data,
            headers={'Content-Type': content_type})
        check_survey_clean(status, text, allowed={400, 413})
        state, comment, stored = survey_state(server, survey)
        if status == 200:
            assert state == 'answered'
            assert all(r in {1, 2, 3, 4, 5} for r in stored), stored
            assert comment is None or (
                len(comment) <= 1000 and '\x00' not in comment)
            reset_survey(server, survey)
        else:
            assert (state, comment, stored) == (
                'pending', None, [None] * len(line_ids)), (status, text[:300])
    answer()
    # the used survey kept its answer
    assert survey_state(server, used) == (
        'answered', None, [5] * len(used_lines))
    assert 'Traceback' not in server.read_log()


@survey_landed
def test_survey_answered_once(server, admin):
    """A rating outside 1-5 is refused and saves nothing; the answer is
    taken once, a second one is refused (410)"""
    (survey, token, line_ids), = make_surveys(server, admin, 1)
    headers = {'Content-Type': 'application/x-www-form-urlencoded'}
    for bad in ['0', '6', '-1', '', 'x', '5.5']:
        values = {'rating_%s' % i: '4' for i in line_ids}
        values['rating_%s' % line_ids[-1]] = bad
        values['comment'] = "不错"
        status, body = survey_request(server, token, form(values), headers)
        check_survey_clean(status, body)
        assert status == 400, (bad, status, body[:300])
        assert survey_state(server, survey) == (
            'pending', None, [None] * len(line_ids)), bad
    # a rating missing
    if len(line_ids) > 1:
        status, body = survey_request(server, token, form(
                {'rating_%s' % line_ids[0]: '4'}), headers)
        assert status == 400
    values = {'rating_%s' % i: str(5 - n % 5) for n, i in enumerate(line_ids)}
    values['comment'] = "手法很好"
    status, body = survey_request(server, token, form(values), headers)
    check_survey_clean(status, body)
    assert status == 200, body[:300]
    answered = survey_state(server, survey)
    assert answered == ('answered', "手法很好",
        [5 - n % 5 for n in range(len(line_ids))])
    # a second answer, and the form again: gone
    values = {'rating_%s' % i: '1' for i in line_ids}
    values['comment'] = "改评价"
    status, body = survey_request(server, token, form(values), headers)
    check_survey_clean(status, body)
    assert status == 410, (status, body[:300])
    status, body = survey_request(server, token)
    assert status == 410, (status, body[:300])
    assert survey_state(server, survey) == answered
    assert 'Traceback' not in server.read_log()


@survey_landed
def test_survey_guessing_limited(server, admin):
    """An address that tries many unknown links is refused for a while
    (429), even for a real link; the others are not"""
    from beauty_marketing.routes import MISS_LIMIT
    (survey, token, line_ids), = make_surveys(server, admin, 1)
    server.sql('DELETE FROM beauty_appointment_online_attempt')
    guesses = [secrets.token_urlsafe(24) for _ in range(MISS_LIMIT)]
    statuses = [survey_request(server, g)[0] for g in guesses]
    assert statuses == [404] * MISS_LIMIT, statuses
    status, body = survey_request(server, secrets.token_urlsafe(24))
    check_survey_clean(status, body, allowed={429})
    assert status == 429, (status, body[:300])
    # a real link from that address waits too
    assert survey_request(server, token)[0] == 429
    # the count is per address and hashed: no address is stored
    rows = server.sql('SELECT key FROM beauty_appointment_online_attempt '
        "WHERE kind = 'survey_miss'")
    assert len(rows) == MISS_LIMIT
    assert all('127.0.0.1' not in key for key, in rows)
    # once the attempts are forgotten (cron), the link opens
    server.sql('DELETE FROM beauty_appointment_online_attempt')
    assert survey_request(server, token)[0] == 200
    assert 'Traceback' not in server.read_log()

