# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond import backend
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, create_employee, set_company)
from trytond.modules.company.model import CompanyMultiValueMixin
from trytond.pool import Pool, isregisteredby
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from beauty_hr.employee import (
    level_rank, levels_at_least, merge_intervals, subtract_intervals)
from beauty_hr.exceptions import (
    CertificateValidationError, LeaveValidationError, RosterLeaveError,
    RosterOverlapError, RosterValidationError, ShiftValidationError)
from beauty_hr.roster import week_start
from beauty_hr.tz import to_utc

T = dt.time
D = dt.datetime


class BeautyHrTestCase(CompanyTestMixin, ModuleTestCase):
    "Test beauty_hr module"
    module = 'beauty_hr'

    @property
    def _skip_company_rule(self):
        # customers are shared by the stores of a chain: their home store
        # (beauty_customer) is not a company rule
        return super()._skip_company_rule | {('party.party', 'store')}

    @with_transaction()
    def test_company_multivalue_context(self):
        "Test context of company multivalue target"
        # As CompanyTestMixin but for party.party: it is extended here only
        # for the "staff" searcher, and its "store" (beauty_customer) is the
        # customer's home store, not the company of its multivalue fields.
        pool = Pool()
        Company = pool.get('company.company')
        for mname, model in pool.iterobject():
            if (not isregisteredby(model, self.module)
                    or issubclass(model, Company)
                    or mname == 'party.party'):
                continue
            if not any(
                    field._type == 'many2one'
                    and issubclass(field.get_target(), Company)
                    for field in model._fields.values()):
                continue
            for fname, field in model._fields.items():
                if not hasattr(field, 'get_target'):
                    continue
                if not issubclass(
                        field.get_target(), CompanyMultiValueMixin):
                    continue
                self.assertIn(
                    'company', list(field.context.keys()),
                    msg='Missing company in "%s"."%s" context' % (
                        mname, fname))

    def test_level_rank(self):
        "Skill levels are ordered from junior to expert"
        self.assertEqual(level_rank(None), 0)
        self.assertLess(level_rank('junior'), level_rank('intermediate'))
        self.assertLess(level_rank('senior'), level_rank('expert'))
        self.assertEqual(levels_at_least('senior'), ['senior', 'expert'])
        self.assertEqual(len(levels_at_least(None)), 4)
        with self.assertRaises(ValueError):
            levels_at_least('master')

    def test_intervals(self):
        "Merging adjacent intervals and cutting leave out"
        h = lambda x: D(2026, 3, 2, x)  # noqa: E731
        self.assertEqual(
            merge_intervals([(h(13), h(18)), (h(9), h(13)), (h(20), h(21))]),
            [(h(9), h(18)), (h(20), h(21))])
        self.assertEqual(
            subtract_intervals([(h(9), h(18))], [(h(12), h(14))]),
            [(h(9), h(12)), (h(14), h(18))])
        self.assertEqual(
            subtract_intervals([(h(9), h(18))], [(h(8), h(19))]), [])
        self.assertEqual(week_start(dt.date(2026, 3, 8)), dt.date(2026, 3, 2))

    def _setup(self):
        "A store with a facial beautician, a massage one and shifts"
        pool = Pool()
        Category = pool.get('product.category')
        Shift = pool.get('beauty.shift')
        Employee = pool.get('company.employee')
        company = create_company()
        company.timezone = 'Asia/Shanghai'
        company.save()
        face, body = Category.create([
                {'name': "面部护理"}, {'name': "身体护理"}])
        hydra, = Category.create([{'name': "补水", 'parent': face.id}])
        wang = create_employee(company, "王美丽")
        li = create_employee(company, "李娜")
        Employee.write([wang], {
                'position': 'beautician', 'skill_level': 'senior',
                'skills': [('add', [face.id])]})
        Employee.write([li], {
                'position': 'beautician', 'skill_level': 'junior',
                'skills': [('add', [body.id])]})
        morning, evening = Shift.create([{
                    'name': "早班", 'code': "早", 'company': company.id,
                    'start_time': T(9), 'end_time': T(13)}, {
                    'name': "晚班", 'code': "晚", 'company': company.id,
                    'start_time': T(13), 'end_time': T(21)}])
        return company, wang, li, face, hydra, body, morning, evening

    @with_transaction()
    def test_search_available(self):
        "Who works the whole interval, with the skill and the level"
        pool = Pool()
        Roster = pool.get('beauty.roster')
        Leave = pool.get('beauty.leave')
        Employee = pool.get('company.employee')
        company, wang, li, face, hydra, body, morning, evening = (
            self._setup())
        tz = company.timezone
        from trytond.tools import timezone
        zone = timezone.ZoneInfo(tz)
        day = dt.date(2026, 3, 2)
        with set_company(company):
            Roster.create([{
                        'employee': wang.id, 'date': day,
                        'shift': morning.id}, {
                        'employee': wang.id, 'date': day,
                        'shift': evening.id}, {
                        'employee': li.id, 'date': day,
                        'shift': morning.id}])

            def at(hour, minute=0):
                return to_utc(day, T(hour, minute), zone)

            def available(start, end, **kwargs):
                return Employee.search_available(
                    company, start, end, **kwargs)

            self.assertEqual(available(at(10), at(11)), [wang, li])
            # adjacent shifts cover 12:00-14:00
            self.assertEqual(available(at(12), at(14)), [wang])
            self.assertEqual(available(at(8), at(10)), [])
            self.assertEqual(
                available(at(10), at(11), category=face), [wang])
            # a sub-category is covered by the parent skill
            self.assertEqual(
                available(at(10), at(11), category=hydra.id), [wang])
            self.assertEqual(
                available(at(10), at(11), category=body), [li])
            self.assertEqual(
                available(at(10), at(11), level='intermediate'), [wang])
            self.assertEqual(
                available(at(10), at(11), level='junior'), [wang, li])

            leave, = Leave.create([{
                        'employee': wang.id, 'type': 'personal',
                        'from_date': day, 'from_time': T(10, 30),
                        'to_date': day, 'to_time': T(11, 30),
                        'reason': "看病"}])
            # not approved: no effect
            self.assertEqual(available(at(10), at(11)), [wang, li])
            Leave.request([leave])
            Leave.approve([leave])
            self.assertEqual(available(at(10), at(11)), [li])
            self.assertEqual(available(at(11, 30), at(12)), [wang, li])

            # left the store
            Employee.write([li], {'end_date': day - dt.timedelta(days=1)})
            self.assertEqual(available(at(11, 30), at(12)), [wang])

            # searcher for domains
            with Transaction().set_context(
                    available_start=at(12), available_end=at(14)):
                self.assertEqual(
                    Employee.search([
                            ('company', '=', company.id),
                            ('available', '=', True)]),
                    [wang])
                self.assertEqual(
                    [e.available for e in Employee.browse([wang, li])],
                    [True, False])

    @with_transaction()
    def test_party_staff(self):
        "The parties of stores and employees are staff"
        pool = Pool()
        Party = pool.get('party.party')
        company, wang, *_ = self._setup()
        customer, = Party.create([{'name': "林晓雨"}])
        self.assertEqual(
            [p.staff for p in Party.browse(
                    [company.party, wang.party, customer])],
            [True, True, False])
        self.assertEqual(
            Party.search([('staff', '=', False), ('name', '=', "林晓雨")]),
            [customer])

    @with_transaction()
    def test_employee_by_pinyin(self):
        "Staff are found by the full pinyin, initials or part of their name"
        pool = Pool()
        Employee = pool.get('company.employee')
        Party = pool.get('party.party')
        company, wang, li, *_ = self._setup()
        with Transaction().set_context(company=company.id):
            for text, found in [
                    ('%wangmeili%', {wang}),
                    ('%wml%', {wang}),
                    ('%meili%', {wang}),
                    ('%美丽%', {wang}),
                    ('%ln%', {li}),
                    ('%lina%', {li}),
                    ('%zzz%', set()),
                    ]:
                with self.subTest(text=text):
                    self.assertEqual(set(Employee.search(
                                [('rec_name', 'ilike', text)])), found)
            # a renamed employee is found by the new name only
            Party.write([wang.party], {'name': "王小红"})
            self.assertEqual(
                Employee.search([('rec_name', 'ilike', '%wxh%')]), [wang])
            self.assertEqual(
                Employee.search([('rec_name', 'ilike', '%wml%')]), [])

    @with_transaction()
    def test_working_intervals(self):
        "Worked intervals minus leave, clipped and merged"
        pool = Pool()
        Roster = pool.get('beauty.roster')
        Leave = pool.get('beauty.leave')
        Employee = pool.get('company.employee')
        company, wang, li, *_, morning, evening = self._setup()
        from trytond.tools import timezone
        zone = timezone.ZoneInfo(company.timezone)
        day = dt.date(2026, 3, 3)

        def at(hour, minute=0, date=day):
            return to_utc(date, T(hour, minute), zone)

        with set_company(company):
            Roster.create([{
                        'employee': wang.id, 'date': day,
                        'shift': morning.id}, {
                        'employee': wang.id, 'date': day,
                        'shift': evening.id}])
            leave, = Leave.create([{
                        'employee': wang.id, 'type': 'personal',
                        'from_date': day, 'from_time': T(15),
                        'to_date': day, 'to_time': T(16)}])
            Leave.request([leave])
            Leave.approve([leave])
            result = Employee.working_intervals(
                [wang, li.id], at(10), at(23))
            self.assertEqual(result, {
                    wang.id: [(at(10), at(15)), (at(16), at(21))],
                    li.id: [],
                    })

    @with_transaction()
    def test_bad_input(self):
        "Shift times, overlaps, leave days and certificate dates"
        pool = Pool()
        Shift = pool.get('beauty.shift')
        Roster = pool.get('beauty.roster')
        Leave = pool.get('beauty.leave')
        Certificate = pool.get('beauty.employee.certificate')
        company, wang, li, *_, morning, evening = self._setup()
        day = dt.date(2026, 3, 4)
        with set_company(company):
            with self.assertRaises(ShiftValidationError):
                Shift.create([{
                            'name': "错", 'company': company.id,
                            'start_time': T(18), 'end_time': T(9)}])
            with self.assertRaises(RosterValidationError):
                Roster.create([{
                            'employee': wang.id, 'date': day,
                            'start_time': T(18), 'end_time': T(10)}])
            roster, = Roster.create([{
                        'employee': wang.id, 'date': day,
                        'shift': morning.id}])
            with self.assertRaises(RosterOverlapError):
                Roster.create([{
                            'employee': wang.id, 'date': day,
                            'start_time': T(12), 'end_time': T(15)}])
            # within one batch, nothing half-saved
            with self.assertRaises(RosterOverlapError):
                Roster.create([{
                            'employee': li.id, 'date': day,
                            'shift': morning.id}, {
                            'employee': li.id, 'date': day,
                            'start_time': T(10), 'end_time': T(12)}])
            self.assertEqual(Roster.search([('employee', '=', li.id)]), [])
            # by moving an existing shift
            evening_roster, = Roster.create([{
                        'employee': wang.id, 'date': day,
                        'shift': evening.id}])
            with self.assertRaises(RosterOverlapError):
                Roster.write([evening_roster], {'start_time': T(12)})
            with self.assertRaises(RosterOverlapError):
                Roster.write([evening_roster], {'shift': morning.id})

            leave, = Leave.create([{
                        'employee': li.id, 'type': 'sick',
                        'from_date': day, 'to_date': day}])
            Leave.request([leave])
            Leave.approve([leave])
            with self.assertRaises(RosterLeaveError):
                Roster.create([{
                            'employee': li.id, 'date': day,
                            'shift': evening.id}])
            with self.assertRaises(LeaveValidationError):
                Leave.create([{
                            'employee': li.id, 'type': 'sick',
                            'from_date': day, 'to_date': day,
                            'from_time': T(15), 'to_time': T(10)}])
            with self.assertRaises(CertificateValidationError):
                Certificate.create([{
                            'employee': wang.id, 'name': "美容师资格证",
                            'issue_date': dt.date(2025, 1, 1),
                            'expiry_date': dt.date(2024, 1, 1)}])

    @with_transaction()
    def test_overlap_constraint(self):
        "The database refuses overlapping shifts written behind the checks"
        pool = Pool()
        Roster = pool.get('beauty.roster')
        company, wang, *_, morning, evening = self._setup()
        day = dt.date(2026, 3, 5)
        with set_company(company):
            first, second = Roster.create([{
                        'employee': wang.id, 'date': day,
                        'shift': morning.id}, {
                        'employee': wang.id, 'date': day,
                        'shift': evening.id}])
            table = Roster.__table__()
            cursor = Transaction().connection.cursor()
            update = table.update(
                [table.end], [second.end], where=table.id == first.id)
            if backend.name == 'postgresql':
                cursor.execute(
                    "SELECT contype FROM pg_constraint "
                    "WHERE conname = 'beauty_roster_employee_overlap'")
                self.assertEqual(cursor.fetchone(), ('x',))
                with self.assertRaises(backend.DatabaseIntegrityError):
                    cursor.execute(*update)
            else:
                cursor.execute(*update)
                with self.assertRaises(RosterOverlapError):
                    Roster._validate(Roster.browse([first.id]))

    @with_transaction()
    def test_generate_many(self):
        "Generating a big roster at once on both databases"
        pool = Pool()
        Roster = pool.get('beauty.roster')
        Pattern = pool.get('beauty.roster.pattern')
        Employee = pool.get('company.employee')
        company, wang, li, *_, morning, evening = self._setup()
        staff = [wang, li] + [
            create_employee(company, "员工%s" % i) for i in range(20)]
        with set_company(company):
            Pattern.create([{
                        'employee': e.id, 'weekday': str(d),
                        'shift': (morning if d % 2 else evening).id}
                    for e in staff for d in range(7)])
            rosters, skipped = Roster.generate(
                Employee.browse(staff), dt.date(2030, 1, 7), weeks=4)
            self.assertEqual(len(rosters), 22 * 28)
            self.assertEqual(skipped, [])

    @with_transaction()
    def test_generate(self):
        "A week is generated from the patterns, skipping leave days"
        pool = Pool()
        Roster = pool.get('beauty.roster')
        Leave = pool.get('beauty.leave')
        Pattern = pool.get('beauty.roster.pattern')
        company, wang, li, *_, morning, evening = self._setup()
        monday = dt.date(2026, 3, 9)
        with set_company(company):
            Pattern.create([
                    {'employee': wang.id, 'weekday': str(d),
                        'shift': morning.id} for d in range(5)] + [
                    {'employee': wang.id, 'weekday': '5',
                        'shift': evening.id}])
            leave, = Leave.create([{
                        'employee': wang.id, 'type': 'annual',
                        'from_date': monday + dt.timedelta(days=2),
                        'to_date': monday + dt.timedelta(days=2)}])
            Leave.request([leave])
            Leave.approve([leave])
            rosters, skipped = Roster.generate(
                [wang, li], monday + dt.timedelta(days=3))
            self.assertEqual(len(rosters), 5)
            self.assertEqual(
                [(e, d, r) for e, d, r in skipped],
                [(wang, monday + dt.timedelta(days=2), 'leave')])
            # generating again keeps what exists
            rosters, skipped = Roster.generate([wang], monday)
            self.assertEqual(rosters, [])
            self.assertEqual(len(skipped), 6)


del ModuleTestCase
