# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction


class BeautyTrainingTestCase(ModuleTestCase):
    "Test beauty_training module"
    module = 'beauty_training'

    @with_transaction()
    def test_demo(self):
        "The demo data loads after the other modules' and is consistent"
        from beauty_appointment import demo as appointment_demo
        from beauty_customer import demo as customer_demo
        from beauty_hr import demo as hr_demo
        from beauty_training import demo
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Appraisal = pool.get('beauty.appraisal')
        Attendance = pool.get('beauty.training.attendance')
        Certificate = pool.get('beauty.employee.certificate')
        Course = pool.get('beauty.training.course')
        Session = pool.get('beauty.training.session')
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        Lang = pool.get('ir.lang')

        # the demo users speak Chinese
        Lang.write(Lang.search([('code', '=', 'zh_CN')]), {
                'translatable': True})
        with Transaction().set_context(_skip_warnings=True):
            customer_demo.load(scale=0.02)
            hr_demo.load(scale=0.02)
            appointment_demo.load(scale=0.02)
            demo.load(scale=0.02)

        stores = Company.search([])
        self.assertEqual(len(Course.search([])), 2 * len(stores))
        self.assertEqual(
            len(Session.search([('state', '=', 'done')])), 2 * len(stores))
        self.assertEqual(
            len(Session.search([('state', '=', 'planned')])), len(stores))
        # certificates to those who passed, and only to them
        done = Attendance.search([('session.state', '=', 'done')])
        self.assertTrue(any(not a.passed for a in done))
        for attendance in done:
            self.assertEqual(
                bool(attendance.certificate), bool(attendance.passed))
        issued = Certificate.search([('session', '!=', None)])
        self.assertEqual(len(issued), len([a for a in done if a.passed]))
        self.assertTrue(Certificate.search([
                    ('session', '!=', None),
                    ('status', '=', 'expiring'),
                    ]))

        # last month's appraisals, measured from the demo appointments
        today = Date.today()
        start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        appraisals = Appraisal.search([('start_date', '=', start)])
        self.assertTrue(appraisals)
        self.assertEqual({a.state for a in appraisals}, {'measured'})
        for appraisal in appraisals:
            done_appointments = Appointment.search([
                    ('company', '=', appraisal.company.id),
                    ('state', '=', 'done'),
                    ('lines.beautician', '=', appraisal.employee.id),
                    ('date', '>=', appraisal.start_date),
                    ('date', '<=', appraisal.end_date),
                    ])
            self.assertEqual(appraisal.appointments, len(done_appointments))


del ModuleTestCase
