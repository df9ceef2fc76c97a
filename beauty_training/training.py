# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Training (培训): courses, sessions and their attendance.

Marking a session done issues a certificate (beauty_hr's
``beauty.employee.certificate``) to each attendee who attended and passed,
when the course grants one; its expiry follows the course's validity. A
course may also raise the skill level of those who pass it and add a service
category to their skills."""
import datetime as dt

from dateutil.relativedelta import relativedelta

from beauty_hr.employee import SKILL_LEVELS, level_rank

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import TrainingError, TrainingValidationError

CATEGORIES = [
    ('technique', "Technique"),
    ('service', "Service"),
    ('product', "Product Knowledge"),
    ('safety', "Safety and Hygiene"),
    ('other', "Other"),
    ]
SESSION_STATES = [
    ('planned', "Planned"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]
ATTENDANCE_STATUSES = [
    ('attended', "Attended"),
    ('absent', "Absent"),
    ('excused', "Excused"),
    ]


class Course(DeactivableMixin, ModelSQL, ModelView):
    "Training course"
    __name__ = 'beauty.training.course'
    __string__ = "Training Course"
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True, size=100)
    category = fields.Selection(
        CATEGORIES, "Category", required=True, sort=False)
    description = fields.Text("Description", size=4000)
    hours = fields.Numeric(
        "Hours", digits=(16, 1), help="The length of the course in hours.")
    passing_score = fields.Integer(
        "Passing Score", required=True,
        help="An attendee scoring at least this (0 to 100) passes.")
    certificate = fields.Char(
        "Certificate Granted", size=100,
        help="The name of the certificate issued to those who pass "
        "(empty: none).")
    validity_months = fields.Integer(
        "Validity (Months)",
        states={
            'invisible': ~Eval('certificate'),
            },
        help="The certificate expires this many months after the session "
        "(empty: it does not expire).")
    skill_level = fields.Selection(
        SKILL_LEVELS, "Raises Skill Level to", sort=False,
        help="Those who pass and are below this level are raised to it.")
    skill_category = fields.Many2One(
        'product.category', "Adds Skill", ondelete='SET NULL',
        help="The service category added to the skills of those who pass.")
    sessions = fields.One2Many(
        'beauty.training.session', 'course', "Sessions", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.update({
                Index(t, (t.name, Index.Similarity())),
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_category():
        return 'technique'

    @staticmethod
    def default_passing_score():
        return 60

    @classmethod
    def validate_fields(cls, courses, field_names):
        super().validate_fields(courses, field_names)
        for course in courses:
            if not (0 <= (course.passing_score or 0) <= 100):
                raise TrainingValidationError(gettext(
                        'beauty_training.msg_score_range',
                        field=cls.__names__('passing_score')['field'],
                        record=course.name,
                        value=course.passing_score))
            for name in ['hours', 'validity_months']:
                value = getattr(course, name)
                if value is not None and value <= 0:
                    raise TrainingValidationError(gettext(
                            'beauty_training.msg_course_positive',
                            field=cls.__names__(name)['field'],
                            course=course.name))

    def expiry_date(self, date):
        "The expiry date of the certificate issued on date"
        if self.validity_months:
            return date + relativedelta(months=self.validity_months)


class Session(Workflow, ModelSQL, ModelView):
    "Training session"
    __name__ = 'beauty.training.session'
    __string__ = "Training Session"
    _states = {'readonly': Eval('state') != 'planned'}
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE',
        states=_states)
    course = fields.Many2One(
        'beauty.training.course', "Course", required=True,
        ondelete='RESTRICT', states=_states,
        domain=[('company', '=', Eval('company', -1))])
    start = fields.DateTime(
        "Start", required=True, states=_states,
        help="The date and time the session starts.")
    end = fields.DateTime("End", states=_states)
    date = fields.Function(
        fields.Date("Date"), 'on_change_with_date',
        searcher='search_date')
    trainer = fields.Many2One(
        'company.employee', "Trainer", ondelete='RESTRICT', states=_states,
        domain=[('company', '=', Eval('company', -1))],
        help="The employee who teaches (empty for an outside trainer).")
    trainer_name = fields.Char(
        "Outside Trainer", size=100, states=_states,
        help="The name of a trainer from outside the store.")
    location = fields.Char(
        "Location", size=200, states=_states,
        help="Where the session takes place (empty: the store).")
    attendees = fields.One2Many(
        'beauty.training.attendance', 'session', "Attendees",
        states=_states)
    notes = fields.Text("Notes", size=2000)
    state = fields.Selection(
        SESSION_STATES, "State", required=True, readonly=True, sort=False)
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Range()), (t.start, Index.Range())),
                Index(t, (t.course, Index.Range())),
                })
        cls._transitions |= {
            ('planned', 'done'),
            ('planned', 'cancelled'),
            ('cancelled', 'planned'),
            }
        cls._buttons.update({
                'do': {
                    'invisible': Eval('state') != 'planned',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'planned',
                    'depends': ['state'],
                    },
                'replan': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'planned'

    @fields.depends('start')
    def on_change_with_date(self, name=None):
        if self.start:
            return self.start.date()

    @classmethod
    def search_date(cls, name, clause):
        _, operator, value = clause[:3]
        if isinstance(value, dt.date) and not isinstance(
                value, dt.datetime):
            low = dt.datetime.combine(value, dt.time())
            high = low + dt.timedelta(days=1)
            if operator == '=':
                return [('start', '>=', low), ('start', '<', high)]
            if operator == '>=':
                return [('start', '>=', low)]
            if operator == '>':
                return [('start', '>=', high)]
            if operator == '<=':
                return [('start', '<', high)]
            if operator == '<':
                return [('start', '<', low)]
        return [('start',) + tuple(clause[1:])]

    def get_rec_name(self, name):
        return '%s %s' % (
            self.course.rec_name if self.course else '',
            self.start.strftime('%Y-%m-%d') if self.start else '')

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('course.rec_name',) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, sessions, field_names):
        super().validate_fields(sessions, field_names)
        for session in sessions:
            if session.start and session.end and session.end <= session.start:
                raise TrainingValidationError(gettext(
                        'beauty_training.msg_session_end_before_start',
                        session=session.rec_name,
                        start=cls.__names__('start')['field'],
                        end=cls.__names__('end')['field']))

    @classmethod
    def check_modification(cls, mode, sessions, values=None, external=False):
        super().check_modification(
            mode, sessions, values=values, external=external)
        if mode == 'delete':
            for session in sessions:
                if session.state == 'done':
                    raise TrainingError(gettext(
                            'beauty_training.msg_session_delete_done',
                            session=session.rec_name))
        elif mode == 'write' and set(values or {}) - {'notes'}:
            for session in sessions:
                if session.state == 'done':
                    raise TrainingError(gettext(
                            'beauty_training.msg_session_done_modify',
                            session=session.rec_name))

    @classmethod
    def copy(cls, sessions, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('state', 'planned')
        return super().copy(sessions, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, sessions):
        pool = Pool()
        Attendance = pool.get('beauty.training.attendance')
        attendances = [a for s in sessions for a in s.attendees]
        for attendance in attendances:
            if attendance.passed and attendance.status != 'attended':
                raise TrainingError(gettext(
                        'beauty_training.msg_attendance_passed_absent',
                        employee=attendance.employee.rec_name,
                        session=attendance.session.rec_name))
        passed = [a for a in attendances if a.passed]
        Attendance.issue_certificates(passed)
        Attendance.raise_skills(passed)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, sessions):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def replan(cls, sessions):
        pass


class Attendance(ModelSQL, ModelView):
    "Training attendance"
    __name__ = 'beauty.training.attendance'
    __string__ = "Training Attendance"
    _states = {
        'readonly': Eval('session_state', 'planned') != 'planned',
        }
    session = fields.Many2One(
        'beauty.training.session', "Session", required=True,
        ondelete='CASCADE', states=_states)
    course = fields.Function(
        fields.Many2One('beauty.training.course', "Course"),
        'on_change_with_course', searcher='search_course')
    company = fields.Function(
        fields.Many2One('company.company', "Store"),
        'on_change_with_company', searcher='search_company')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='RESTRICT',
        states=_states,
        domain=[('company', '=', Eval('company', -1))])
    status = fields.Selection(
        ATTENDANCE_STATUSES, "Attendance", required=True, sort=False,
        states=_states)
    score = fields.Integer(
        "Score", states=_states, help="The test score, from 0 to 100.")
    passed = fields.Boolean(
        "Passed", states=_states,
        help="Set from the score and the course's passing score; a "
        "certificate is issued when the session is done.")
    comment = fields.Char("Comment", size=500)
    certificate = fields.Many2One(
        'beauty.employee.certificate', "Certificate", readonly=True,
        ondelete='SET NULL')
    session_state = fields.Function(
        fields.Selection(SESSION_STATES, "Session State"),
        'on_change_with_session_state')
    date = fields.Function(
        fields.Date("Date"), 'on_change_with_date')
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('session_employee_unique', Unique(t, t.session, t.employee),
                'beauty_training.msg_attendance_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.employee, Index.Range())),
                })

    @staticmethod
    def default_status():
        return 'attended'

    @staticmethod
    def default_passed():
        return False

    @fields.depends('session', '_parent_session.course')
    def on_change_with_course(self, name=None):
        if self.session and self.session.course:
            return self.session.course.id

    @classmethod
    def search_course(cls, name, clause):
        return [('session.course',) + tuple(clause[1:])]

    @fields.depends('session', '_parent_session.company')
    def on_change_with_company(self, name=None):
        if self.session and self.session.company:
            return self.session.company.id

    @classmethod
    def search_company(cls, name, clause):
        return [('session.company',) + tuple(clause[1:])]

    @fields.depends('session', '_parent_session.state')
    def on_change_with_session_state(self, name=None):
        if self.session:
            return self.session.state

    @fields.depends('session', '_parent_session.start')
    def on_change_with_date(self, name=None):
        if self.session and self.session.start:
            return self.session.start.date()

    @fields.depends(
        'score', 'status', 'passed', 'session', '_parent_session.course')
    def on_change_with_passed(self):
        if self.status != 'attended':
            return False
        if self.score is None:
            return self.passed
        course = self.session.course if self.session else None
        passing = course.passing_score if course else 60
        return self.score >= (passing or 0)

    def get_rec_name(self, name):
        return '%s - %s' % (
            self.employee.rec_name if self.employee else '',
            self.session.rec_name if self.session else '')

    @classmethod
    def validate_fields(cls, attendances, field_names):
        super().validate_fields(attendances, field_names)
        for attendance in attendances:
            if attendance.score is not None and not (
                    0 <= attendance.score <= 100):
                raise TrainingValidationError(gettext(
                        'beauty_training.msg_score_range',
                        field=cls.__names__('score')['field'],
                        record=attendance.employee.rec_name,
                        value=attendance.score))
            if attendance.passed and attendance.status != 'attended':
                raise TrainingValidationError(gettext(
                        'beauty_training.msg_attendance_passed_absent',
                        employee=attendance.employee.rec_name,
                        session=attendance.session.rec_name))

    @classmethod
    def check_modification(
            cls, mode, attendances, values=None, external=False):
        super().check_modification(
            mode, attendances, values=values, external=external)
        if mode == 'create' or (
                mode == 'write' and not set(values or {}) - {'comment'}):
            return
        for attendance in attendances:
            if attendance.session.state == 'done':
                raise TrainingError(gettext(
                        'beauty_training.msg_session_done_modify',
                        session=attendance.session.rec_name))

    @classmethod
    def copy(cls, attendances, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('certificate', None)
        return super().copy(attendances, default=default)

    @classmethod
    def issue_certificates(cls, attendances):
        """Issue the certificate of the course to each attendance without
        one (the course must grant a certificate); return them"""
        pool = Pool()
        Certificate = pool.get('beauty.employee.certificate')
        Configuration = pool.get('beauty.training.configuration')
        config = Configuration(1)
        todo = [a for a in attendances
            if not a.certificate and a.session.course.certificate]
        if not todo:
            return []
        vlist = []
        for attendance in todo:
            session = attendance.session
            course = session.course
            issued = session.start.date()
            vlist.append({
                    'employee': attendance.employee.id,
                    'name': course.certificate,
                    'number': config.certificate_sequence.get(),
                    'issuer': session.company.rec_name,
                    'issue_date': issued,
                    'expiry_date': course.expiry_date(issued),
                    'course': course.id,
                    'session': session.id,
                    })
        certificates = Certificate.create(vlist)
        to_write = []
        for attendance, certificate in zip(todo, certificates):
            to_write.extend(([attendance], {'certificate': certificate.id}))
        cls.write(*to_write)
        return certificates

    @classmethod
    def raise_skills(cls, attendances):
        "Raise the skill level and add the skill taught by the courses passed"
        pool = Pool()
        Employee = pool.get('company.employee')
        levels, categories = {}, {}
        for attendance in attendances:
            course = attendance.session.course
            employee = attendance.employee
            if course.skill_level:
                current = levels.get(employee, employee.skill_level)
                if level_rank(course.skill_level) > level_rank(current):
                    levels[employee] = course.skill_level
            if course.skill_category:
                have = {c.id for c in employee.skills}
                have |= categories.get(employee, set())
                if course.skill_category.id not in have:
                    categories.setdefault(employee, set()).add(
                        course.skill_category.id)
        to_write = []
        for employee in set(levels) | set(categories):
            values = {}
            if employee in levels:
                values['skill_level'] = levels[employee]
            if employee in categories:
                values['skills'] = [('add', sorted(categories[employee]))]
            to_write.extend(([employee], values))
        if to_write:
            Employee.write(*to_write)


class Certificate(metaclass=PoolMeta):
    __name__ = 'beauty.employee.certificate'
    course = fields.Many2One(
        'beauty.training.course', "Course", readonly=True,
        ondelete='SET NULL',
        help="The training course that granted the certificate.")
    session = fields.Many2One(
        'beauty.training.session', "Training Session", readonly=True,
        ondelete='SET NULL')

    @classmethod
    def copy(cls, certificates, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('session', None)
        return super().copy(certificates, default=default)
