# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Demo data of training and appraisal: two courses per store, sessions with
their attendance (done ones issue certificates, some expiring within 30
days; one planned next week) and last month's appraisals of the staff,
measured from the demo appointments, sales, surveys and feedback, with the
manager's scores of most of them.

``load(scale)`` runs after the demos of the other modules (tools/demo.py),
as root in a transaction; deterministic (fixed seed), relative to today,
created in bulk."""
import datetime as dt
import random
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from trytond.pool import Pool
from trytond.transaction import Transaction

SEED = 20261212
COURSES = [
    # name, category, hours, certificate, validity months, skill level
    ("光电仪器安全操作", 'technique', Decimal(16), "光电仪器操作证", 24,
        'intermediate'),
    ("消毒与卫生规范", 'safety', Decimal(4), "卫生安全培训合格证", 12, None),
    ]
COMMENTS = [
    "手法扎实，客户反馈好", "服务热情，需加强产品知识", "团队协作积极",
    "注意与客户沟通的方式", None,
    ]


def load(scale=1.0):
    pool = Pool()
    Company = pool.get('company.company')
    rng = random.Random(SEED)
    stores = Company.search([], order=[('id', 'ASC')])
    for store in stores:
        with Transaction().set_context(company=store.id):
            _training(rng, store)
            _appraisals(rng, store)


def _staff(store):
    pool = Pool()
    Employee = pool.get('company.employee')
    return Employee.search([
            ('company', '=', store.id),
            ('position', 'in', ['beautician', 'consultant']),
            ], order=[('id', 'ASC')])


def _training(rng, store):
    pool = Pool()
    Course = pool.get('beauty.training.course')
    Session = pool.get('beauty.training.session')
    Employee = pool.get('company.employee')
    Date = pool.get('ir.date')
    today = Date.today()
    staff = _staff(store)
    if not staff:
        return
    managers = Employee.search([
            ('company', '=', store.id),
            ('position', '=', 'manager'),
            ], limit=1)
    devices, hygiene = Course.create([{
                'company': store.id,
                'name': name,
                'category': category,
                'hours': hours,
                'passing_score': 70,
                'certificate': certificate,
                'validity_months': months,
                'skill_level': level,
                'description': "%s：理论讲解、实操演练与考核。" % name,
                } for name, category, hours, certificate, months, level
            in COURSES])

    def at(day, hour):
        return dt.datetime.combine(day, dt.time(hour))

    def attendees(people, absent=0.1):
        result = []
        for employee in people:
            if rng.random() < absent:
                result.append({
                        'employee': employee.id,
                        'status': rng.choice(['absent', 'excused']),
                        'passed': False,
                        })
                continue
            score = rng.choice([58, 65, 72, 78, 84, 88, 92, 96])
            result.append({
                    'employee': employee.id,
                    'status': 'attended',
                    'score': score,
                    'passed': score >= 70,
                    'comment': "补考" if score < 70 else None,
                    })
        return result
    # the hygiene course of 11 months ago: certificates expiring soon
    hygiene_day = today - relativedelta(months=12) + dt.timedelta(days=20)
    device_day = today - dt.timedelta(days=40)
    sessions = Session.create([{
                'company': store.id,
                'course': hygiene.id,
                'start': at(hygiene_day, 6),
                'end': at(hygiene_day, 10),
                'trainer': managers[0].id if managers else None,
                'location': "门店培训室",
                'attendees': [('create', attendees(staff, absent=0))],
                }, {
                'company': store.id,
                'course': devices.id,
                'start': at(device_day, 1),
                'end': at(device_day, 9),
                'trainer_name': "厂家培训师 陈老师",
                'location': "总部培训中心",
                'attendees': [('create', attendees(staff))],
                }, {
                'company': store.id,
                'course': hygiene.id,
                'start': at(today + dt.timedelta(days=7), 6),
                'end': at(today + dt.timedelta(days=7), 10),
                'trainer': managers[0].id if managers else None,
                'location': "门店培训室",
                'attendees': [('create', [{
                                'employee': e.id,
                                'status': 'attended',
                                } for e in staff])],
                }])
    Session.do(sessions[:2])


def _appraisals(rng, store):
    pool = Pool()
    Appraisal = pool.get('beauty.appraisal')
    Date = pool.get('ir.date')
    today = Date.today()
    start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    end = today.replace(day=1) - dt.timedelta(days=1)
    appraisals = Appraisal.create_for_period(store, 'month', start, end)
    if not appraisals:
        return
    Appraisal.measure(appraisals)
    to_write = []
    for appraisal in appraisals:
        if rng.random() < 0.25:
            continue  # left for the manager to score
        to_write.extend(([appraisal], {
                    'skill_score': rng.randint(70, 95),
                    'attitude_score': rng.randint(75, 98),
                    'teamwork_score': rng.randint(70, 95),
                    'comment': rng.choice(COMMENTS),
                    }))
    if to_write:
        Appraisal.write(*to_write)
