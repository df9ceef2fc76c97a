# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Notifications (通知): one record per message sent to a customer or an
employee by email, SMS or WeChat, and the gateways that deliver them.

Other modules send a message with::

    Notification = pool.get('beauty.notification')
    notifications = Notification.create([{
            'channel': 'sms', 'recipient': '+8613812345678',
            'party': customer.id, 'company': store.id,
            'subject': "...", 'content': "...",
            'origin': 'some.model,42',          # optional
            'scheduled': when,                  # optional, default now
            }])
    Notification.send_later(notifications)      # or leave it to the cron

or ``Notification.create_for_party(party, subject, content, ...)`` which
picks the party's addresses for the configured channels.
"""
import datetime as dt
import json
import re
import socket
import urllib.error
import urllib.request
import uuid
from collections import OrderedDict
from email.message import EmailMessage
from email.utils import formataddr

from sql.conditionals import Coalesce
from sql.functions import CurrentTimestamp

from beauty_hr.tz import store_timezone, to_local

import trytond.config as config
from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.sendmail import send_message
from trytond.transaction import Transaction, without_check_access

from .exceptions import GatewayError

CHANNELS = [
    ('email', "Email"),
    ('sms', "SMS"),
    ('wechat', "WeChat"),
    ]
KINDS = [
    ('confirmation', "Booking Confirmation"),
    ('reminder', "Reminder"),
    ('change', "Change Notice"),
    ('cancellation', "Cancellation Notice"),
    ('waitlist', "Waitlist Offer"),
    ('other', "Other"),
    ]
AUDIENCES = [
    ('customer', "Customer"),
    ('staff', "Staff"),
    ]
STATES = [
    ('queued', "Queued"),
    ('sending', "Sending"),
    ('sent', "Sent"),
    ('failed', "Failed"),
    ('cancelled', "Cancelled"),
    ]
TEMPLATE_KINDS = [
    'confirmation', 'reminder', 'change', 'cancellation', 'waitlist',
    'staff_confirmation', 'staff_reminder', 'staff_change',
    'staff_cancellation',
    ]
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
DEFAULT_TEMPLATES = {
    'confirmation': (
        "预约成功 {number}",
        "{customer}您好，您已成功预约{store}{date}（{weekday}）{time}的"
        "{services}，美容师：{beautician}。预约号{number}。如需改期或取消，"
        "请提前联系门店{store_phone}。"),
    'reminder': (
        "预约提醒 {date} {time}",
        "{customer}您好，温馨提醒：您预约了{store}{date}（{weekday}）{time}的"
        "{services}，美容师：{beautician}，期待您的光临。如不能到店，请提前"
        "告知{store_phone}。"),
    'change': (
        "预约变更 {number}",
        "{customer}您好，您在{store}的预约已改为{date}（{weekday}）{time}，"
        "项目：{services}，美容师：{beautician}。如有疑问请联系"
        "{store_phone}。"),
    'cancellation': (
        "预约取消 {number}",
        "{customer}您好，您在{store}{date}（{weekday}）{time}的预约"
        "（{services}）已取消。欢迎随时再次预约{store_phone}。"),
    'waitlist': (
        "候补空位通知",
        "{customer}您好，{store}{date}（{weekday}）{time}的{services}有空位"
        "了，请尽快联系门店{store_phone}预约，先约先得。"),
    'staff_confirmation': (
        "新预约 {date} {time}",
        "{beautician}，您有新预约：{date}（{weekday}）{time}-{end_time}，"
        "客户{customer}，项目：{services}，房间：{room}。"),
    'staff_reminder': (
        "服务提醒 {date} {time}",
        "{beautician}，提醒：{date}（{weekday}）{time}-{end_time}有客户"
        "{customer}的{services}，房间：{room}。"),
    'staff_change': (
        "预约变更 {date} {time}",
        "{beautician}，预约{number}已改为{date}（{weekday}）{time}-"
        "{end_time}，客户{customer}，项目：{services}，房间：{room}。"),
    'staff_cancellation': (
        "预约取消 {date} {time}",
        "{beautician}，客户{customer}{date}（{weekday}）{time}的预约"
        "（{services}）已取消。"),
    }
_PLACEHOLDER = re.compile(r'\{(\w+)\}')


def render(template, values):
    """Replace {name} by values[name]; unknown names are kept as typed.

    Only plain names are replaced (no attribute or index access), so a
    template typed by the salon can not reach anything else."""
    if not template:
        return ''

    def replace(match):
        value = values.get(match.group(1))
        if value is None:
            return match.group(0)
        return str(value)
    return _PLACEHOLDER.sub(replace, template)


def _template_fields():
    "The subject and body fields of every template"
    result = OrderedDict()
    for kind in TEMPLATE_KINDS:
        result[kind] = ('%s_subject' % kind, '%s_body' % kind)
    return result


class TemplateConfigurationMixin:
    "The texts of the notifications, editable by the salon (in Chinese)"
    __slots__ = ()

    confirmation_subject = fields.Char("Confirmation Subject")
    confirmation_body = fields.Text("Confirmation Text")
    reminder_subject = fields.Char("Reminder Subject")
    reminder_body = fields.Text("Reminder Text")
    change_subject = fields.Char("Change Subject")
    change_body = fields.Text("Change Text")
    cancellation_subject = fields.Char("Cancellation Subject")
    cancellation_body = fields.Text("Cancellation Text")
    waitlist_subject = fields.Char("Waitlist Subject")
    waitlist_body = fields.Text("Waitlist Text")
    staff_confirmation_subject = fields.Char("Staff Booking Subject")
    staff_confirmation_body = fields.Text("Staff Booking Text")
    staff_reminder_subject = fields.Char("Staff Reminder Subject")
    staff_reminder_body = fields.Text("Staff Reminder Text")
    staff_change_subject = fields.Char("Staff Change Subject")
    staff_change_body = fields.Text("Staff Change Text")
    staff_cancellation_subject = fields.Char("Staff Cancellation Subject")
    staff_cancellation_body = fields.Text("Staff Cancellation Text")

    def get_template(self, kind):
        "(subject, body) of the template of kind, falling back on defaults"
        subject_name, body_name = _template_fields()[kind]
        default_subject, default_body = DEFAULT_TEMPLATES[kind]
        return (getattr(self, subject_name, None) or default_subject,
            getattr(self, body_name, None) or default_body)


def _default(value):
    return classmethod(lambda cls: value)


for _kind, (_subject, _body) in _template_fields().items():
    setattr(TemplateConfigurationMixin, 'default_%s' % _subject,
        _default(DEFAULT_TEMPLATES[_kind][0]))
    setattr(TemplateConfigurationMixin, 'default_%s' % _body,
        _default(DEFAULT_TEMPLATES[_kind][1]))


class Notification(Workflow, ModelSQL, ModelView):
    """A message to a customer or an employee (beauty.notification).

    State: queued, then sending while a worker holds it (committed before
    the message leaves), then sent or failed (retried by the cron until the
    maximum of attempts). A message is claimed by a conditional update that
    only one worker can make, so it is never sent twice."""
    __name__ = 'beauty.notification'
    __string__ = "Notification"

    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE',
        readonly=True)
    channel = fields.Selection(
        CHANNELS, "Channel", required=True, readonly=True)
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    audience = fields.Selection(
        AUDIENCES, "Audience", required=True, readonly=True)
    recipient = fields.Char(
        "Recipient", required=True, readonly=True,
        help="The email address, mobile number or WeChat ID.")
    party = fields.Many2One(
        'party.party', "Party", ondelete='SET NULL', readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    employee = fields.Many2One(
        'company.employee', "Employee", ondelete='SET NULL', readonly=True)
    subject = fields.Char("Subject", readonly=True)
    content = fields.Text("Content", required=True, readonly=True)
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    error = fields.Text(
        "Error", readonly=True,
        states={
            'invisible': ~Eval('error'),
            })
    attempts = fields.Integer("Attempts", readonly=True)
    scheduled = fields.DateTime(
        "Scheduled", readonly=True,
        help="When it is due (or tried again after a failure).")
    last_attempt = fields.DateTime("Last Attempt", readonly=True)
    sent_date = fields.DateTime("Sent", readonly=True)
    appointment = fields.Many2One(
        'beauty.appointment', "Appointment", ondelete='CASCADE',
        readonly=True)
    waitlist = fields.Many2One(
        'beauty.appointment.waitlist', "Waitlist Entry",
        ondelete='CASCADE', readonly=True)
    origin = fields.Reference(
        "Origin", selection='get_origin', readonly=True,
        help="The record that asked for the message (e.g. a campaign).")
    uuid = fields.Char(
        "UUID", readonly=True, strip=False,
        help="Sent to the gateways as idempotency key.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        cls._sql_constraints += [
            ('uuid_unique', Unique(t, t.uuid),
                'beauty_appointment.msg_notification_uuid_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality()),
                    (t.scheduled, Index.Range()),
                    where=t.state.in_(['queued', 'failed'])),
                Index(t, (t.appointment, Index.Range())),
                })
        cls._transitions |= {
            ('queued', 'cancelled'),
            ('failed', 'cancelled'),
            ('failed', 'queued'),
            ('sending', 'queued'),
            }
        cls._buttons.update({
                'retry': {
                    'invisible': ~Eval('state').in_(['failed', 'sending']),
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['queued', 'failed']),
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'queued'

    @staticmethod
    def default_kind():
        return 'other'

    @staticmethod
    def default_audience():
        return 'customer'

    @staticmethod
    def default_attempts():
        return 0

    @classmethod
    def _get_origin(cls):
        "The models that may ask for a message (extended by other modules)"
        return ['beauty.appointment', 'beauty.appointment.waitlist']

    @classmethod
    def get_origin(cls):
        pool = Pool()
        IrModel = pool.get('ir.model')
        get_name = IrModel.get_name
        return [(None, '')] + [(m, get_name(m)) for m in cls._get_origin()]

    def get_rec_name(self, name):
        return '%s %s' % (self.recipient, self.subject or '')

    @classmethod
    def create(cls, vlist):
        now = dt.datetime.now()
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            values.setdefault('uuid', uuid.uuid4().hex)
            if not values.get('scheduled'):
                values['scheduled'] = now
        return super().create(vlist)

    @classmethod
    def copy(cls, notifications, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('uuid', None)
        default.setdefault('state', 'queued')
        default.setdefault('attempts', 0)
        default.setdefault('error', None)
        default.setdefault('sent_date', None)
        default.setdefault('last_attempt', None)
        default.setdefault('scheduled', None)
        return super().copy(notifications, default=default)

    # Buttons

    @classmethod
    @ModelView.button
    @Workflow.transition('queued')
    def retry(cls, notifications):
        """Queue again a failed one, or one left "sending" by a crash (a
        person decides: it may have been delivered)"""
        cls.write(list(notifications), {
                'scheduled': dt.datetime.now(), 'error': None})
        # sent after the commit, once the state is "queued"
        if notifications:
            with Transaction().set_context(queue_name='beauty_notification'):
                cls.__queue__.send(list(notifications))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, notifications):
        pass

    # Building messages

    @classmethod
    def addresses(cls, party, audience, config=None):
        """[(channel, address), ...] of the party for the channels the
        configuration enables for the audience ('customer' or 'staff');
        config: the configuration when the caller has it already"""
        pool = Pool()
        Configuration = pool.get('beauty.appointment.configuration')
        if config is None:
            config = Configuration(1)
        result = []
        if not party:
            return result
        if getattr(config, '%s_sms' % audience) and party.mobile:
            result.append(('sms', party.mobile))
        if getattr(config, '%s_email' % audience) and party.email:
            result.append(('email', party.email))
        # the WeChat id is read only when the channel is on
        if getattr(config, '%s_wechat' % audience):
            wechat = getattr(party, 'wechat', None)
            if wechat:
                result.append(('wechat', wechat))
        return result

    @classmethod
    def create_for_party(cls, party, subject, content, company=None,
            channels=None, kind='other', scheduled=None, origin=None,
            audience='customer'):
        """Queue the message to the party on each configured channel (or
        on the given channels only); return the notifications."""
        company = company or Transaction().context.get('company')
        vlist = []
        for channel, address in cls.addresses(party, audience):
            if channels is not None and channel not in channels:
                continue
            vlist.append({
                    'company': int(company),
                    'channel': channel,
                    'recipient': address,
                    'party': party.id,
                    'kind': kind,
                    'audience': audience,
                    'subject': subject,
                    'content': content,
                    'scheduled': scheduled,
                    'origin': str(origin) if origin else None,
                    })
        return cls.create(vlist)

    @classmethod
    def appointment_values(cls, appointment, lines=None):
        "The placeholders of the templates for an appointment"
        company = appointment.company
        timezone = store_timezone(company)
        lines = lines if lines is not None else appointment.sorted_lines
        start = min((l.start for l in lines if l.start),
            default=appointment.start)
        end = max((l.end for l in lines if l.end), default=appointment.end)
        local_start = to_local(start, timezone) if start else None
        local_end = to_local(end, timezone) if end else None
        beauticians = []
        rooms = []
        for line in lines:
            if line.beautician and line.beautician.rec_name not in beauticians:
                beauticians.append(line.beautician.rec_name)
            if line.room and line.room.rec_name not in rooms:
                rooms.append(line.room.rec_name)
        phone = ''
        if company.party:
            phone = getattr(company.party, 'phone', None) or ''
        return {
            'customer': appointment.customer.rec_name,
            'store': company.rec_name,
            'store_phone': phone,
            'number': appointment.number or '',
            'date': local_start.strftime('%Y-%m-%d') if local_start else '',
            'weekday': WEEKDAYS[local_start.weekday()] if local_start else '',
            'time': local_start.strftime('%H:%M') if local_start else '',
            'end_time': local_end.strftime('%H:%M') if local_end else '',
            'services': "、".join(l.service.rec_name for l in lines),
            'beautician': "、".join(beauticians) or "待安排",
            'room': "、".join(rooms) or "-",
            }

    @classmethod
    @without_check_access
    def create_for_appointments(cls, appointments, kind):
        """Queue the messages of kind ('confirmation', 'reminder', 'change',
        'cancellation') to the customers and the beauticians.

        The log of messages is the salon's, not the user's: it is written
        whoever books."""
        pool = Pool()
        Configuration = pool.get('beauty.appointment.configuration')
        config = Configuration(1)
        vlist = []
        for appointment in appointments:
            values = cls.appointment_values(appointment)
            subject, body = config.get_template(kind)
            for channel, address in cls.addresses(
                    appointment.customer, 'customer', config=config):
                vlist.append(cls._message_values(
                        appointment, kind, 'customer', channel, address,
                        render(subject, values), render(body, values),
                        party=appointment.customer))
            staff_kind = 'staff_%s' % kind
            if staff_kind not in DEFAULT_TEMPLATES:
                continue
            subject, body = config.get_template(staff_kind)
            by_employee = OrderedDict()
            for line in appointment.sorted_lines:
                if line.beautician:
                    by_employee.setdefault(line.beautician, []).append(line)
            for employee, lines in by_employee.items():
                staff_values = cls.appointment_values(appointment, lines)
                staff_values['beautician'] = employee.rec_name
                for channel, address in cls.addresses(
                        employee.party, 'staff', config=config):
                    vlist.append(cls._message_values(
                            appointment, kind, 'staff', channel, address,
                            render(subject, staff_values),
                            render(body, staff_values),
                            party=employee.party, employee=employee))
        return cls.create(vlist)

    @classmethod
    def _message_values(cls, appointment, kind, audience, channel, address, subject,
            content, party=None, employee=None):
        return {
            'company': appointment.company.id,
            'appointment': appointment.id,
            'kind': kind,
            'audience': audience,
            'channel': channel,
            'recipient': address,
            'party': party.id if party else None,
            'employee': employee.id if employee else None,
            'subject': subject,
            'content': content,
            'origin': str(appointment),
            }

    @classmethod
    @without_check_access
    def cancel_pending(cls, appointments, kinds=None):
        "Cancel the messages of the appointments not sent yet"
        domain = [
            ('appointment', 'in', [a.id for a in appointments]),
            ('state', 'in', ['queued', 'failed']),
            ]
        if kinds:
            domain.append(('kind', 'in', kinds))
        notifications = cls.search(domain)
        if notifications:
            cls.write(notifications, {'state': 'cancelled'})

    # Sending

    @classmethod
    def send_later(cls, notifications):
        """Send the due ones after the commit through the queue (a worker or
        right after the request); the cron sends the others when due."""
        now = dt.datetime.now()
        due = [n for n in notifications
            if n.state == 'queued' and (not n.scheduled or n.scheduled <= now)]
        if due:
            with Transaction().set_context(queue_name='beauty_notification'):
                cls.__queue__.send(due)

    @classmethod
    def send_due(cls):
        "Send what is due and retry the failures (cron)"
        pool = Pool()
        Configuration = pool.get('beauty.appointment.configuration')
        config = Configuration(1)
        now = dt.datetime.now()
        notifications = cls.search(['OR', [
                    ('state', '=', 'queued'),
                    ('scheduled', '<=', now),
                    ], [
                    ('state', '=', 'failed'),
                    ('attempts', '<', config.max_attempts),
                    ('scheduled', '<=', now),
                    ]],
            order=[('scheduled', 'ASC'), ('id', 'ASC')], limit=1000)
        return cls.send(notifications)

    @classmethod
    def send(cls, notifications):
        """Deliver the notifications, each in its own committed steps.

        Must run in a transaction of its own (cron or queue task): it
        commits. For each message: claim it (queued/failed -> sending,
        attempts + 1) and commit, so that no other worker can take it; then
        deliver; then commit sent or failed. A crash between delivery and
        the last commit leaves it "sending": it is not tried again unless a
        person decides to (at most once rather than twice).
        Returns the ids of the messages sent."""
        sent = []
        for notification_id in [n.id for n in notifications]:
            if not cls._claim(notification_id):
                continue
            with without_check_access():
                notification = cls(notification_id)
                error = None
                if not notification.still_relevant():
                    cls._finish(notification_id, cancelled=True)
                    continue
                try:
                    notification.deliver()
                except Exception as exception:
                    error = cls._error_text(exception)
                cls._finish(notification_id, error=error)
            if error is None:
                sent.append(notification_id)
        return sent

    @classmethod
    def _claim(cls, notification_id):
        transaction = Transaction()
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        try:
            cursor.execute(*table.update(
                    [table.state, table.attempts, table.last_attempt,
                        table.write_date],
                    ['sending', Coalesce(table.attempts, 0) + 1,
                        dt.datetime.now(), CurrentTimestamp()],
                    where=(table.id == notification_id)
                    & table.state.in_(['queued', 'failed'])))
            claimed = cursor.rowcount == 1
            transaction.commit()
        except backend.DatabaseOperationalError:
            # another worker updated it first (PostgreSQL serialisation)
            transaction.rollback()
            return False
        return claimed

    @classmethod
    def _finish(cls, notification_id, error=None, cancelled=False):
        pool = Pool()
        Configuration = pool.get('beauty.appointment.configuration')
        transaction = Transaction()
        now = dt.datetime.now()
        notification = cls(notification_id)
        if cancelled:
            values = {'state': 'cancelled', 'error': gettext(
                    'beauty_appointment.msg_notification_not_relevant')}
        elif error:
            delay = Configuration(1).retry_delay or 0
            values = {
                'state': 'failed',
                'error': error,
                'scheduled': now + dt.timedelta(
                    minutes=delay * max(notification.attempts or 1, 1)),
                }
        else:
            values = {'state': 'sent', 'error': None, 'sent_date': now}
        cls.write([notification], values)
        if cancelled:
            notification.not_relevant()
        transaction.commit()

    @staticmethod
    def _error_text(exception):
        text = str(exception) or exception.__class__.__name__
        return text[:2000]

    def still_relevant(self):
        "Whether the message still has to go (a waitlist offer may not)"
        if self.waitlist:
            return self.waitlist.offer_still_open()
        return True

    def not_relevant(self):
        if self.waitlist:
            self.waitlist.offer_lapsed()

    def deliver(self):
        "Hand the message to its gateway; raise when it is not accepted"
        gateway = self.get_gateway(self.channel)
        gateway.send(self)

    @classmethod
    def get_gateway(cls, channel):
        """The gateway of the channel; override to plug another provider"""
        pool = Pool()
        Configuration = pool.get('beauty.appointment.configuration')
        config = Configuration(1)
        if channel == 'email':
            return EmailGateway()
        url = getattr(config, '%s_url' % channel, None)
        token = getattr(config, '%s_token' % channel, None)
        label = dict(cls.fields_get(['channel'])['channel']['selection'])
        return HTTPGateway(channel, url, token,
            timeout=config.gateway_timeout or 10,
            label=label.get(channel, channel))


class Gateway:
    "Delivers a notification; raises GatewayError when it is refused"

    def send(self, notification):
        raise NotImplementedError


class EmailGateway(Gateway):
    "Email through trytond's SMTP settings ([email] uri and from)"

    def send(self, notification):
        from_ = config.get('email', 'from')
        if not from_:
            raise GatewayError(gettext(
                    'beauty_appointment.msg_email_not_configured'))
        message = EmailMessage()
        store = notification.company.rec_name
        message['From'] = formataddr((store, from_))
        message['To'] = notification.recipient
        message['Subject'] = notification.subject or store
        # a deterministic id: a duplicate would be recognisable
        message['Message-ID'] = '<%s@%s>' % (
            notification.uuid, socket.getfqdn() or 'beauty-salon')
        message['X-Beauty-Notification'] = notification.uuid
        message.set_content(notification.content, charset='utf-8')
        send_message(message, strict=True)


class HTTPGateway(Gateway):
    """SMS or WeChat through a provider's HTTP API: a JSON POST of
    {"id", "channel", "to", "subject", "content"} with the token as bearer
    and the notification's uuid as Idempotency-Key. Any 2xx answer is a
    success unless its JSON says {"ok": false}."""

    def __init__(self, channel, url, token=None, timeout=10, label=None):
        self.channel = channel
        self.label = label or channel
        self.url = url
        self.token = token
        self.timeout = timeout

    def payload(self, notification):
        return {
            'id': notification.uuid,
            'channel': self.channel,
            'to': notification.recipient,
            'subject': notification.subject,
            'content': notification.content,
            }

    def send(self, notification):
        if not self.url or not re.match(r'^https?://', self.url):
            raise GatewayError(gettext(
                    'beauty_appointment.msg_gateway_not_configured',
                    channel=self.label))
        data = json.dumps(
            self.payload(notification), ensure_ascii=False).encode('utf-8')
        request = urllib.request.Request(self.url, data=data, method='POST')
        request.add_header('Content-Type', 'application/json; charset=utf-8')
        request.add_header('Idempotency-Key', notification.uuid)
        if self.token:
            request.add_header('Authorization', 'Bearer %s' % self.token)
        try:
            with urllib.request.urlopen(
                    request, timeout=self.timeout) as response:
                body = response.read(65536)
        except urllib.error.HTTPError as exception:
            detail = exception.read(500).decode('utf-8', 'replace')
            raise GatewayError('HTTP %s %s' % (exception.code, detail))
        except (urllib.error.URLError, OSError) as exception:
            raise GatewayError(str(getattr(exception, 'reason', exception)))
        if body:
            try:
                answer = json.loads(body)
            except ValueError:
                return
            if isinstance(answer, dict) and answer.get('ok') is False:
                raise GatewayError(str(answer.get('error') or 'refused'))
