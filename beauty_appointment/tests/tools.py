# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Scenario helpers: a small salon through proteus, as a client builds it."""
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from beauty_hr.tz import store_timezone, to_local, to_utc

from proteus import Model
from trytond.modules.company.tests.tools import get_company

TIMEZONE = 'Asia/Shanghai'


def tz():
    return store_timezone(SimpleNamespace(timezone=TIMEZONE))


def local_day(offset):
    "The store's date in offset days"
    return to_local(dt.datetime.now(), tz()).date() + dt.timedelta(
        days=offset)


def at(day, hour, minute=0):
    "The UTC datetime (as Tryton stores it) of a local day and time"
    return to_utc(day, dt.time(hour, minute), tz())


def local(value):
    "A stored datetime as the store reads it: '10:00'"
    return to_local(value, tz()).strftime('%H:%M')


def setup_salon(config=None):
    """The store of the scenarios: 王美丽 (senior, 面部护理 and 身体护理) and
    李娜 (junior, 补水 and 身体护理) working 09:00-18:00 the next two days;
    two facial rooms and a double SPA room; three services; two
    customers. Returns a namespace of the records."""
    Category = Model.get('product.category', config=config)
    Contraindication = Model.get('beauty.contraindication', config=config)
    Employee = Model.get('company.employee', config=config)
    Party = Model.get('party.party', config=config)
    Room = Model.get('beauty.room', config=config)
    RoomType = Model.get('beauty.room.type', config=config)
    Roster = Model.get('beauty.roster', config=config)
    Template = Model.get('product.template', config=config)
    Uom = Model.get('product.uom', config=config)

    s = SimpleNamespace()
    s.company = get_company(config=config)
    s.company.timezone = TIMEZONE
    s.company.save()

    s.face = Category(name="面部护理")
    s.face.save()
    s.body = Category(name="身体护理")
    s.body.save()
    s.hydra = Category(name="补水", parent=s.face)
    s.hydra.save()

    def employee(name, level, skills):
        party = Party(name=name)
        party.save()
        record = Employee(party=party, company=s.company)
        record.position = 'beautician'
        record.skill_level = level
        record.skills.extend(Category(c.id) for c in skills)
        record.save()
        return record
    s.wang = employee("王美丽", 'senior', [s.face, s.body])
    s.li = employee("李娜", 'junior', [s.hydra, s.body])
    s.day1, s.day2 = local_day(1), local_day(2)
    for record in [s.wang, s.li]:
        for day in [s.day1, s.day2]:
            roster = Roster(employee=record, date=day)
            roster.start_time = dt.time(9)
            roster.end_time = dt.time(18)
            roster.save()

    s.facial = RoomType(name="面部护理间")
    s.facial.save()
    s.spa_type = RoomType(name="SPA 房")
    s.spa_type.save()

    def room(code, name, type_, capacity=1):
        record = Room(code=code, name=name, type=type_, capacity=capacity)
        record.save()
        return record
    s.room_a1 = room("A1", "面部 1", s.facial)
    s.room_a2 = room("A2", "面部 2", s.facial)
    s.spa = room("S1", "双人 SPA", s.spa_type, capacity=2)

    s.pregnancy = Contraindication(name="孕期", blocking=True)
    s.pregnancy.save()
    s.acid = Contraindication(name="果酸敏感", blocking=False)
    s.acid.save()

    unit, = Uom.find([('name', '=', 'Unit')])

    def service(name, minutes, buffer, category, level, room_type,
            contraindications=()):
        template = Template(name=name, type='service', default_uom=unit)
        template.list_price = Decimal('298')
        template.service_duration = dt.timedelta(minutes=minutes)
        template.service_buffer = dt.timedelta(minutes=buffer)
        template.service_category = category
        template.skill_level = level
        template.room_type = room_type
        template.online_booking = True
        template.contraindications.extend(
            Contraindication(c.id) for c in contraindications)
        template.save()
        product, = template.products
        return product
    s.hydrating = service(
        "补水护理", 60, 15, s.hydra, 'junior', s.facial, [s.acid])
    s.peel = service(
        "果酸焕肤", 45, 15, s.face, 'senior', s.facial,
        [s.pregnancy, s.acid])
    s.massage = service("肩颈按摩", 60, 0, s.body, None, s.spa_type)

    s.chen = Party(name="陈思思", mobile="13612345678")
    s.chen.save()
    s.zhao = Party(name="赵敏", mobile="13712345678")
    s.zhao.save()
    return s


GROUPS = {
    'group_salon_admin': "Salon Administrator",
    'group_manager': "Salon Manager",
    'group_frontdesk': "Front Desk",
    'group_beautician': "Beautician",
    'group_accountant': "Accountant",
    }


def user(login, groups, company, employee=None, config=None):
    "A user of the store in the salon's groups (xml ids of beauty_customer)"
    Company = Model.get('company.company', config=config)
    Employee = Model.get('company.employee', config=config)
    Group = Model.get('res.group', config=config)
    User = Model.get('res.user', config=config)
    record = User(login=login, name=login)
    record.password = 'Salon-%s-2030' % login
    for group in groups:
        found, = Group.find([('name', '=', GROUPS[group])])
        record.groups.append(found)
    record.companies.append(Company(company.id))
    record.company = Company(company.id)
    if employee:
        record.employees.append(Employee(employee.id))
        record.employee = Employee(employee.id)
    record.save()
    return record
