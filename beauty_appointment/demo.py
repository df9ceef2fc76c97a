# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Demo data of the appointments: rooms and devices of both stores, the
services' durations, clean-up times, skills, levels and rooms, and about a
month of appointments around today (past ones done, some missed or
cancelled; future ones booked, confirmed or requested online), a few
customers on the waitlist.

``load(scale)`` runs after the demos of beauty_customer (stores, services,
customers) and beauty_hr (beauticians, skills, rosters), as root inside a
transaction (tools/demo.py). The appointments are placed inside the
beauticians' rosters, with their skills, in free rooms, never twice at the
same time; deterministic (fixed seed), relative to today, created in bulk.
"""
import datetime as dt
import random
from collections import defaultdict

from beauty_hr.employee import level_rank
from beauty_hr.tz import store_timezone, to_local

from trytond.pool import Pool
from trytond.transaction import Transaction

from .appointment import category_ancestors
from .schedule import ZERO, Busy, RoomPlanner, covered

SEED = 20260404
BATCH = 20  # SQLite checks the exclusions of a batch in one nested query
DAYS_BACK = 14
DAYS_AHEAD = 16
ROOM_TYPES = [
    # key, name, kind
    ('facial', "面部护理间", 'room'),
    ('body', "身体护理间", 'room'),
    ('spa', "双人 SPA 房", 'room'),
    ('nails', "美甲美睫位", 'station'),
    ('device', "光电仪器", 'device'),
    ]
ROOMS = [
    # code, name, type key, capacity
    ('A1', "面部护理 1 号房", 'facial', 1),
    ('A2', "面部护理 2 号房", 'facial', 1),
    ('A3', "面部护理 3 号房", 'facial', 1),
    ('B1', "身体护理房", 'body', 1),
    ('S1', "双人 SPA 房", 'spa', 2),
    ('N1', "美甲位 1", 'nails', 1),
    ('N2', "美甲位 2", 'nails', 1),
    ('D1', "光子嫩肤仪", 'device', 1),
    ('D2', "射频仪", 'device', 1),
    ]
# category name: (room type key, minutes, clean-up minutes, level)
CATEGORIES = {
    "面部护理": ('facial', 60, 15, 'junior'),
    "身体护理": ('body', 60, 10, 'junior'),
    "眼部护理": ('facial', 45, 10, 'junior'),
    "美甲美睫": ('nails', 60, 10, 'junior'),
    "仪器项目": ('device', 60, 20, 'senior'),
    }
# service name: (minutes, clean-up, level, room type key), overrides
SERVICES = {
    "小气泡清洁": (45, 10, None, None),
    "抗衰紧致护理": (90, 15, 'intermediate', None),
    "全身精油SPA": (90, 20, None, 'spa'),
    "足部反射疗法": (45, 10, None, None),
    "手部护理": (30, 5, None, None),
    "嫁接睫毛": (90, 10, 'intermediate', None),
    "水光注射": (45, 20, 'senior', None),
    "超声刀提拉": (120, 30, 'expert', None),
    }
# service name: contraindication names
CONTRAINDICATIONS = {
    "美白焕颜护理": ["果酸敏感"],
    "光子嫩肤": ["孕期", "皮肤破损", "近期医美"],
    "射频紧致": ["孕期", "金属植入", "心脏起搏器"],
    "水光注射": ["孕期", "哺乳期", "皮肤破损"],
    "超声刀提拉": ["孕期", "金属植入", "心脏起搏器", "近期医美"],
    "全身精油SPA": ["孕期", "高血压"],
    }
CHANNELS = ['phone', 'walk_in', 'online', 'meituan', 'wechat']
CHANNEL_WEIGHTS = [35, 15, 15, 20, 15]
CANCEL_REASONS = ["临时有事", "身体不适", "出差", "改约其他时间", "天气原因"]


def load(scale=1.0):
    pool = Pool()
    Company = pool.get('company.company')
    rng = random.Random(SEED)
    stores = Company.search([], order=[('id', 'ASC')])
    if not stores:
        return
    room_types = _room_types()
    rooms = _rooms(stores, room_types)
    services = _services(room_types)
    if not services:
        return
    with Transaction().set_context(
            _skip_warnings=True, _beauty_allow_past=True,
            company=stores[0].id):
        appointments = _appointments(rng, scale, stores, rooms, services)
        _waitlist(rng, stores, services, appointments)


def _room_types():
    RoomType = Pool().get('beauty.room.type')
    types = RoomType.create([{
                'name': name, 'kind': kind, 'sequence': i,
                } for i, (_, name, kind) in enumerate(ROOM_TYPES, 1)])
    return {key: t for (key, _, _), t in zip(ROOM_TYPES, types)}


def _rooms(stores, room_types):
    "{store id: [room]}"
    Room = Pool().get('beauty.room')
    vlist = []
    for store in stores:
        for i, (code, name, key, capacity) in enumerate(ROOMS, 1):
            vlist.append({
                    'company': store.id,
                    'code': code,
                    'name': name,
                    'type': room_types[key].id,
                    'capacity': capacity,
                    'sequence': i,
                    })
    result = defaultdict(list)
    for room in Room.create(vlist):
        result[room.company.id].append(room)
    return result


def _services(room_types):
    "Set the booking fields of the demo services; return the products"
    pool = Pool()
    Template = pool.get('product.template')
    Contraindication = pool.get('beauty.contraindication')
    conditions = {c.name: c for c in Contraindication.search([])}
    templates = Template.search([
            ('type', '=', 'service'),
            ('categories', '!=', None),
            ], order=[('id', 'ASC')])
    args = []
    for template in templates:
        category = next(
            (c for c in template.categories if c.name in CATEGORIES), None)
        if category is None:
            continue
        key, minutes, buffer, level = CATEGORIES[category.name]
        override = SERVICES.get(template.name)
        if override:
            minutes, buffer = override[0], override[1]
            level = override[2] or level
            key = override[3] or key
        args.extend([[template], {
                    'service_duration': dt.timedelta(minutes=minutes),
                    'service_buffer': dt.timedelta(minutes=buffer),
                    'service_category': category.id,
                    'skill_level': level,
                    'room_type': room_types[key].id,
                    'online_booking': category.name != "仪器项目",
                    'contraindications': [('add', [
                                conditions[n].id
                                for n in CONTRAINDICATIONS.get(
                                    template.name, [])
                                if n in conditions])],
                    }])
    if args:
        Template.write(*args)
    return [p for t in Template.browse([t.id for t in templates])
        if t.service_duration for p in t.products]


def _appointments(rng, scale, stores, rooms, services):
    """About a month of appointments in the beauticians' rosters"""
    pool = Pool()
    Appointment = pool.get('beauty.appointment')
    Employee = pool.get('company.employee')
    Party = pool.get('party.party')
    Date = pool.get('ir.date')
    now = dt.datetime.now().replace(second=0, microsecond=0)
    today = Date.today()
    lower = now - dt.timedelta(days=DAYS_BACK + 1)
    upper = now + dt.timedelta(days=DAYS_AHEAD + 1)

    beauticians = Employee.search([
            ('company', 'in', [s.id for s in stores]),
            ('position', '=', 'beautician'),
            ], order=[('id', 'ASC')])
    if not beauticians:
        return []
    working = Employee.working_intervals(beauticians, lower, upper)
    categories = {s.service_category for s in services}
    ancestors = category_ancestors(categories)
    able = {}
    for employee in beauticians:
        skills = {c.id for c in employee.skills}
        able[employee.id] = [s for s in services
            if skills & ancestors[s.service_category.id]
            and level_rank(employee.skill_level)
            >= level_rank(s.skill_level)]

    customers = defaultdict(list)
    for party in Party.search([
                ('store', 'in', [s.id for s in stores]),
                ('staff', '=', False),
                ], order=[('id', 'ASC')]):
        customers[party.store.id].append(party)
    blocked = {}
    for store_customers in customers.values():
        for party in store_customers:
            conditions = {c.id for c in party.contraindications}
            if conditions:
                blocked[party.id] = conditions

    planners = {s.id: RoomPlanner([(r.id, r.type.id, r.capacity)
                for r in rooms.get(s.id, [])]) for s in stores}
    busy = Busy()
    per_day = max(1, round(3 * min(scale, 1.0) + 0.49))
    step = dt.timedelta(minutes=30)
    vlist = []
    for employee in beauticians:
        store = employee.company
        timezone = store_timezone(store)
        store_customers = customers.get(store.id)
        if not store_customers or not able[employee.id]:
            continue
        for lower_, upper_ in working.get(employee.id, []):
            count = rng.randint(max(1, per_day - 1), per_day + 1)
            current = lower_ + dt.timedelta(minutes=30 * rng.randint(0, 2))
            for _ in range(count):
                service = rng.choice(able[employee.id])
                end = current + service.service_duration
                busy_end = end + (service.service_buffer or ZERO)
                if not covered([(lower_, upper_)], current, end):
                    break
                room = place = None
                if service.room_type:
                    found = planners[store.id].find(
                        service.room_type.id, current, busy_end)
                    if not found:
                        current += step
                        continue
                    room, place = found
                if not busy.free(employee.id, current, busy_end):
                    current += step
                    continue
                customer = _customer(rng, store_customers, service, blocked)
                if customer is None:
                    continue
                if room:
                    planners[store.id].take(room, place, current, busy_end)
                busy.add(employee.id, current, busy_end)
                local_day = to_local(current, timezone).date()
                vlist.append(_values(
                        rng, store, customer, employee, service, room,
                        current, end, now, today, local_day))
                # a gap before the next customer
                gap = dt.timedelta(minutes=30 * rng.randint(0, 3))
                current = _ceil(busy_end + gap, step)
    vlist.sort(key=lambda v: (v['start'], v['company']))
    _online_requests(vlist, now, today, stores,
        {s.id for s in services if s.template.online_booking})
    appointments = []
    for i in range(0, len(vlist), BATCH):
        appointments.extend(Appointment.create(vlist[i:i + BATCH]))
    return appointments


def _online_requests(vlist, now, today, stores, bookable):
    """The last appointment of each store still to come today was requested
    online: the front desk confirms it in its day list"""
    timezones = {s.id: store_timezone(s) for s in stores}
    last = {}
    for values in vlist:
        service = values['lines'][0][1][0]['service']
        if (values['state'] in {'booked', 'confirmed'}
                and service in bookable and values['start'] > now
                and to_local(values['start'], timezones[values['company']]
                    ).date() == today):
            last[values['company']] = values
    for values in last.values():
        values.update(state='requested', channel='online')


def _ceil(value, step):
    midnight = dt.datetime.combine(value.date(), dt.time())
    return midnight + -(-(value - midnight) // step) * step


def _customer(rng, customers, service, blocked):
    "A customer without a contraindication against the service"
    conditions = {c.id for c in service.template.contraindications}
    for _ in range(5):
        customer = rng.choice(customers)
        if not (conditions & blocked.get(customer.id, set())):
            return customer


def _values(rng, store, customer, employee, service, room, start, end, now,
        today, day):
    "The values of a demo appointment and its state from its time"
    if end <= now:
        state = rng.choices(
            ['done', 'no_show', 'cancelled'], weights=[80, 8, 12])[0]
    elif start <= now:
        state = 'in_service'
    elif day == today:
        state = rng.choices(
            ['confirmed', 'booked', 'cancelled'], weights=[60, 35, 5])[0]
    else:
        state = rng.choices(
            ['booked', 'confirmed', 'requested', 'cancelled'],
            weights=[60, 20, 12, 8])[0]
    channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
    if state == 'requested':
        channel = 'online'
    values = {
        'company': store.id,
        'customer': customer.id,
        'start': start,
        'channel': channel,
        'state': state,
        'reminded': start <= now + dt.timedelta(hours=24),
        'lines': [('create', [{
                        'service': service.id,
                        'beautician': employee.id,
                        'room': room,
                        }])],
        }
    if state in {'done', 'in_service'}:
        values['arrived_at'] = start - dt.timedelta(
            minutes=rng.randint(0, 15))
    if state == 'cancelled':
        values['cancel_reason'] = rng.choice(CANCEL_REASONS)
    if rng.random() < 0.1:
        values['notes'] = rng.choice([
                "客户要求安静，不推销产品", "第一次体验该项目", "上次反馈力度偏重",
                "带朋友一起来", "需要发票"])
    return values


def _waitlist(rng, stores, services, appointments):
    "A few customers waiting for the coming days"
    pool = Pool()
    Waitlist = pool.get('beauty.appointment.waitlist')
    Date = pool.get('ir.date')
    today = Date.today()
    future = [a for a in appointments
        if a.date and a.date > today and a.state in {'booked', 'confirmed'}]
    if not future:
        return
    vlist = []
    seen = set()
    for appointment in rng.sample(future, min(6, len(future))):
        service = appointment.lines[0].service
        others = [a.customer for a in future
            if a.company == appointment.company
            and a.customer != appointment.customer]
        if not others:
            continue
        customer = rng.choice(others)
        if (customer.id, service.id) in seen:
            continue
        seen.add((customer.id, service.id))
        vlist.append({
                'company': appointment.company.id,
                'customer': customer.id,
                'service': service.id,
                'date_from': appointment.date - dt.timedelta(days=1),
                'date_to': appointment.date + dt.timedelta(days=2),
                'notes': "想约周末或晚上",
                })
    Waitlist.create(vlist)
