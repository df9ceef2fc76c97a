# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Demo data of the staff: positions, skills, certificates, shifts, weekly
patterns, a month of rosters around today, leave, and one user per role.

``load(scale)`` runs after beauty_customer's demo (the two stores and their
first employees), as root inside a transaction (tools/demo.py). It is
deterministic (fixed seed), expresses dates relative to today and creates in
bulk. The staff does not grow with ``scale``: a salon has the same team
whatever the number of customers.

Demo users (login / password), each linked to an employee:

    salonadmin   / Admin@LY2026       管理员 (both stores)
    manager      / Manager@LY2026     店长 of 旗舰店
    manager2     / Manager2@LY2026    店长 of 万达店
    frontdesk    / Desk@LY2026        前台 of 旗舰店
    beautician   / Beauty@LY2026      美容师 of 旗舰店
    beautician2  / Beauty2@LY2026     美容师 of 旗舰店
    accountant   / Finance@LY2026     财务 (both stores)
"""
import datetime as dt
import random

from trytond.pool import Pool
from trytond.transaction import Transaction

from .employee import LEVEL_ORDER
from .roster import week_start

SEED = 20260303
# name, code, start, end, colour
SHIFTS = [
    ("早班", "早", dt.time(9, 30), dt.time(17, 30), '#f5a623'),
    ("中班", "中", dt.time(11, 0), dt.time(19, 0), '#4a90e2'),
    ("晚班", "晚", dt.time(13, 30), dt.time(21, 30), '#9b59b6'),
    ]
# More staff: name, position, store index
EXTRA_STAFF = [
    ("方慧敏", None, 0),
    ("蒋晓雯", 'beautician', 0),
    ("曹雅婷", 'beautician', 0),
    ("沈梦洁", 'beautician', 1),
    ("卢婉婷", 'beautician', 1),
    ("邓心怡", 'frontdesk', 1),
    ]
# Two rest days per week, rotated between the employees of a store so that
# the weekend stays staffed
REST_DAYS = [(0, 1), (1, 2), (2, 3), (3, 4), (0, 3), (1, 4), (2, 4), (0, 2)]
CERTIFICATES = [
    # name, issuer, prefix, years valid (None: no expiry)
    ("美容师职业资格证书", "人力资源和社会保障部", 'MRS', None),
    ("健康证", "区疾病预防控制中心", 'JKZ', 1),
    ("皮肤管理师证书", "中国美容美发协会", 'PFG', 3),
    ]
# login, password, role group, (position, store index, rank in position)
USERS = [
    ('salonadmin', 'Admin@LY2026', 'group_salon_admin', (None, 0, 0)),
    ('manager', 'Manager@LY2026', 'group_manager', ('manager', 0, 0)),
    ('manager2', 'Manager2@LY2026', 'group_manager', ('manager', 1, 0)),
    ('frontdesk', 'Desk@LY2026', 'group_frontdesk', ('frontdesk', 0, 0)),
    ('beautician', 'Beauty@LY2026', 'group_beautician',
        ('beautician', 0, 0)),
    ('beautician2', 'Beauty2@LY2026', 'group_beautician',
        ('beautician', 0, 1)),
    ('accountant', 'Finance@LY2026', 'group_accountant',
        ('accountant', 0, 0)),
    ]
# logins who work for every store
ALL_STORES = {'salonadmin', 'accountant'}


def load(scale=1.0):
    pool = Pool()
    Company = pool.get('company.company')
    rng = random.Random(SEED)
    today = pool.get('ir.date').today()
    Leave = pool.get('beauty.leave')
    stores = Company.search([], order=[('id', 'ASC')])
    if not stores:
        return
    with Transaction().set_context(_skip_warnings=True):
        employees = _staff(rng, stores, today)
        categories = _categories()
        _skills(rng, employees, categories)
        _certificates(rng, employees, today)
        shifts = _shifts(stores)
        _patterns(employees, shifts)
        leaves = _leaves(rng, employees, today)
        # the approved leave is skipped by the roster generation
        Leave.approve(leaves['approved'])
        _rosters(employees, today)
        users = _users(stores, employees)
        _sign(leaves['approved'], users)


def _staff(rng, stores, today):
    "Complete the employees of beauty_customer's demo and add some"
    pool = Pool()
    Employee = pool.get('company.employee')
    Party = pool.get('party.party')
    parties = Party.create([{
                'name': name, 'gender': 'female', 'code': 'YG%03d' % (100 + i),
                } for i, (name, _, _) in enumerate(EXTRA_STAFF, 1)])
    Employee.create([{
                'party': party.id,
                'company': stores[store % len(stores)].id,
                'position': position,
                'start_date': today - dt.timedelta(days=rng.randint(60, 900)),
                }
            for party, (_, position, store) in zip(parties, EXTRA_STAFF)])
    employees = Employee.search([
            ('company', 'in', [s.id for s in stores]),
            ], order=[('company', 'ASC'), ('id', 'ASC')])
    to_write = []
    for employee in employees:
        values = {}
        if not employee.start_date:
            values['start_date'] = today - dt.timedelta(
                days=rng.randint(90, 1500))
        if employee.position in {'beautician', 'consultant'}:
            values['skill_level'] = rng.choices(
                LEVEL_ORDER, weights=[3, 4, 3, 1])[0]
        elif employee.position == 'manager':
            values['skill_level'] = 'expert'
        if values:
            to_write.extend([[employee], values])
    if to_write:
        Employee.write(*to_write)
    return Employee.browse([e.id for e in employees])


def _categories():
    "The service categories of the catalogue"
    Category = Pool().get('product.category')
    return Category.search([('parent', '=', None)], order=[('id', 'ASC')])


def _skills(rng, employees, categories):
    Employee = Pool().get('company.employee')
    if not categories:
        return
    to_write = []
    for employee in employees:
        if employee.position in {'beautician', 'manager'}:
            count = {'junior': 2, 'intermediate': 3, 'senior': 4}.get(
                employee.skill_level, len(categories))
            chosen = [categories[0]] + rng.sample(
                categories[1:], min(count, len(categories)) - 1)
        elif employee.position == 'consultant':
            chosen = categories[:1]
        else:
            continue
        to_write.extend([[employee], {
                    'skills': [('add', sorted({c.id for c in chosen}))],
                    }])
    if to_write:
        Employee.write(*to_write)


def _certificates(rng, employees, today):
    Certificate = Pool().get('beauty.employee.certificate')
    vlist = []
    for employee in employees:
        if employee.position not in {'beautician', 'consultant', 'manager'}:
            continue
        for name, issuer, prefix, years in CERTIFICATES:
            if prefix == 'PFG' and employee.skill_level in {None, 'junior'}:
                continue
            if years:
                # some are expired or about to expire: the list shows them
                issue = today - dt.timedelta(
                    days=rng.randint(20, 365 * years + 30))
                expiry = issue.replace(year=issue.year + years) if (
                    (issue.month, issue.day) != (2, 29)) else issue.replace(
                    year=issue.year + years, day=28)
            else:
                issue = today - dt.timedelta(days=rng.randint(400, 3000))
                expiry = None
            vlist.append({
                    'employee': employee.id,
                    'name': name,
                    'issuer': issuer,
                    'number': '%s%08d' % (prefix, rng.randint(0, 10 ** 8 - 1)),
                    'issue_date': issue,
                    'expiry_date': expiry,
                    })
    if vlist:
        Certificate.create(vlist)


def _shifts(stores):
    "{store id: [early, middle, late]}"
    Shift = Pool().get('beauty.shift')
    shifts = Shift.create([{
                'name': name, 'code': code, 'company': store.id,
                'start_time': start, 'end_time': end, 'color': color,
                'sequence': i,
                } for store in stores
            for i, (name, code, start, end, color) in enumerate(SHIFTS)])
    result = {}
    for shift in shifts:
        result.setdefault(shift.company.id, []).append(shift)
    return result


def _patterns(employees, shifts):
    "A weekly pattern per employee: five working days, staggered rest days"
    Pattern = Pool().get('beauty.roster.pattern')
    vlist = []
    rank = {}
    for employee in employees:
        store = employee.company.id
        early, middle, late = shifts[store]
        index = rank[store] = rank.get(store, -1) + 1
        if employee.position == 'accountant':
            days = {d: early for d in range(5)}
        elif employee.position is None:
            days = {d: middle for d in range(5)}
        else:
            rest = REST_DAYS[index % len(REST_DAYS)]
            cycle = [early, middle, late]
            days = {
                d: cycle[(index + d) % 3]
                for d in range(7) if d not in rest}
        vlist.extend({
                'employee': employee.id,
                'weekday': str(day),
                'shift': shift.id,
                } for day, shift in days.items())
    Pattern.create(vlist)


def _leaves(rng, employees, today):
    "Some leave: past and coming, approved, requested and draft"
    Leave = Pool().get('beauty.leave')
    workers = [e for e in employees
        if e.position in {'beautician', 'frontdesk', 'consultant'}]
    picks = rng.sample(workers, min(6, len(workers)))
    plans = [
        # days from today, length in days, type, state, reason
        (-12, 2, 'annual', 'approved', "回老家探亲"),
        (-5, 1, 'sick', 'approved', "感冒发烧"),
        (3, 1, 'personal', 'approved', "孩子开家长会"),
        (9, 3, 'annual', 'approved', "旅行"),
        (6, 1, 'personal', 'requested', "搬家"),
        (13, 1, 'compensatory', 'draft', "周末加班调休"),
        ]
    vlist = []
    for employee, (offset, length, type_, _, reason) in zip(picks, plans):
        start = today + dt.timedelta(days=offset)
        vlist.append({
                'company': employee.company.id,
                'employee': employee.id,
                'type': type_,
                'from_date': start,
                'to_date': start + dt.timedelta(days=length - 1),
                'reason': reason,
                })
    leaves = Leave.create(vlist)
    states = [state for _, _, _, state, _ in plans[:len(leaves)]]
    Leave.request([l for l, s in zip(leaves, states) if s != 'draft'])
    return {
        state: [l for l, s in zip(leaves, states) if s == state]
        for state in {'approved', 'requested', 'draft'}}


def _rosters(employees, today):
    "Two weeks back and three weeks ahead from the patterns"
    pool = Pool()
    Roster = pool.get('beauty.roster')
    first = week_start(today) - dt.timedelta(days=14)
    Roster.generate(employees, first, weeks=5)


def _users(stores, employees):
    "One user per role, linked to an employee"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    Lang = pool.get('ir.lang')
    languages = Lang.search([('code', '=', 'zh_CN')])
    by_position = {}
    for employee in employees:
        by_position.setdefault(
            (employee.position, employee.company.id), []).append(employee)
    vlist = []
    for login, password, group, (position, store, rank) in USERS:
        store = stores[store % len(stores)]
        candidates = by_position.get((position, store.id), [])
        if not candidates:
            continue
        employee = candidates[min(rank, len(candidates) - 1)]
        companies = stores if login in ALL_STORES else [store]
        values = {
            'login': login,
            'name': employee.party.name,
            'password': password,
            'groups': [('add', [
                        ModelData.get_id('beauty_customer', group)])],
            'companies': [('add', [c.id for c in companies])],
            'company': store.id,
            'employees': [('add', [employee.id])],
            'employee': employee.id,
            }
        if languages:
            values['language'] = languages[0].id
        vlist.append(values)
    users = User.create(vlist)
    return {u.login: u for u in users}


def _sign(leaves, users):
    "The approved leave is signed by the store's manager"
    Leave = Pool().get('beauty.leave')
    managers = {
        u.employee.company.id: u for u in users.values()
        if u.employee and u.employee.position == 'manager'}
    to_write = []
    for leave in leaves:
        manager = managers.get(leave.company.id)
        if manager:
            to_write.extend([[leave], {'approved_by': manager.id}])
    if to_write:
        Leave.write(*to_write)
