# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The public satisfaction survey page (满意度调查), served by trytond.

    GET  /<database>/beauty/survey/<token>   the form
    POST /<database>/beauty/survey/<token>   the answer (once)

No login: the token of the link is the key; the page shows only the
services and beauticians of the visit. (Same pattern as the online booking
page of beauty_appointment.)"""
import datetime as dt
import html
import logging
from http import HTTPStatus

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.protocols.wrappers import Response, with_pool, with_transaction
from trytond.transaction import Transaction
from trytond.wsgi import app

from .survey import valid_token

logger = logging.getLogger(__name__)
# Unknown links from one address before it is refused for a while
MISS_KIND = 'survey_miss'
MISS_LIMIT = 30
MISS_PERIOD = dt.timedelta(minutes=10)
SECURITY_HEADERS = {
    'Content-Security-Policy': (
        "default-src 'none'; style-src 'unsafe-inline'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    }
PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s</title>
<style>body{font-family:sans-serif;max-width:32em;margin:1em auto;padding:0 1em}
fieldset{margin:1em 0}textarea{width:100%%}</style></head>
<body><h1>%(title)s</h1>%(body)s</body></html>"""


def _page(title, body, status=HTTPStatus.OK):
    response = Response(
        PAGE % {'title': html.escape(title), 'body': body},
        status=status, content_type='text/html; charset=utf-8')
    response.headers.update(SECURITY_HEADERS)
    return response


def _language(pool):
    Lang = pool.get('ir.lang')
    if Lang.search([('code', '=', 'zh_CN'), ('translatable', '=', True)]):
        Transaction().set_context(language='zh_CN')


def _client_key():
    ip_address, ip_network = Transaction().remote_address()
    return str(ip_network or ip_address or 'unknown')


def _guard(pool):
    """Refuse an address that tried too many unknown links lately: links
    are not to be guessed (they cannot be, but each try costs a query)"""
    from werkzeug.exceptions import TooManyRequests
    Attempt = pool.get('beauty.appointment.online.attempt')
    since = dt.datetime.now() - MISS_PERIOD
    if Attempt.count(MISS_KIND, _client_key(), since) >= MISS_LIMIT:
        raise TooManyRequests()


def _miss(pool):
    "Count an unknown link of the address, then answer Not Found"
    from werkzeug.exceptions import NotFound
    Attempt = pool.get('beauty.appointment.online.attempt')
    with Transaction().new_transaction() as transaction:
        Attempt.add(MISS_KIND, _client_key())
        transaction.commit()
    raise NotFound()


def _survey(pool, token):
    from werkzeug.exceptions import NotFound
    try:
        Survey = pool.get('beauty.survey')
    except KeyError:
        raise NotFound()
    _guard(pool)
    if not valid_token(token):
        _miss(pool)
    _language(pool)
    surveys = Survey.search([('token', '=', token)], limit=1)
    if not surveys:
        _miss(pool)
    return surveys[0]


def _form(survey):
    title = gettext('beauty_marketing.msg_survey_page_title')
    if survey.state != 'pending':
        return _page(title, '<p>%s</p>' % html.escape(
                gettext('beauty_marketing.msg_survey_used')),
            status=HTTPStatus.GONE)
    parts = ['<form method="post">']
    for line in survey.lines:
        label = line.service.rec_name
        if line.beautician:
            label += ' - ' + line.beautician.rec_name
        parts.append('<fieldset><legend>%s</legend>' % html.escape(label))
        for value in range(5, 0, -1):
            parts.append(
                '<label><input type="radio" name="rating_%d" value="%d" '
                'required> %s</label> ' % (line.id, value, '★' * value))
        parts.append('</fieldset>')
    parts.append(
        '<p><label>%s<br><textarea name="comment" maxlength="1000" '
        'rows="4"></textarea></label></p>' % html.escape(
            gettext('beauty_marketing.msg_survey_page_comment')))
    parts.append('<p><button type="submit">%s</button></p></form>'
        % html.escape(gettext('beauty_marketing.msg_survey_page_submit')))
    return _page(title, ''.join(parts))


@app.route('/<database_name>/beauty/survey/<token>', methods=['GET'])
@with_pool
@with_transaction()
def survey_page(request, pool, token, database_name=None):
    return _form(_survey(pool, token))


@app.route('/<database_name>/beauty/survey/<token>', methods=['POST'])
@with_pool
@with_transaction(readonly=False)
def survey_answer(request, pool, token, database_name=None):
    survey = _survey(pool, token)
    if survey.state != 'pending':
        # answered: gone, as the form says
        return _form(survey)
    title = gettext('beauty_marketing.msg_survey_page_title')
    ratings = {}
    for line in survey.lines:
        value = request.form.get('rating_%d' % line.id)
        try:
            ratings[line.id] = int(value)
        except (TypeError, ValueError):
            ratings[line.id] = None
    try:
        Survey = pool.get('beauty.survey')
        Survey.answer(token, ratings, request.form.get('comment'))
    except UserError as exception:
        Transaction().rollback()
        return _page(title, '<p>%s</p>' % html.escape(exception.message),
            status=HTTPStatus.BAD_REQUEST)
    return _page(title, '<p>%s</p>' % html.escape(
            gettext('beauty_marketing.msg_survey_page_thanks')))
