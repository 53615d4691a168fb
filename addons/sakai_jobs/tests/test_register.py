# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The registers of the placement business and the figures it publishes,
read from the records; the introduction letter."""
import datetime as dt
from unittest.mock import patch

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, with_transaction
from trytond.transaction import Transaction

from sakai_counseling.tests.tools import create_client
from sakai_line.tests.tools import DatabaseTestCase, as_user, staff_users

FY2026 = (dt.date(2026, 4, 1), dt.date(2027, 3, 31))


class RegisterTestCase(DatabaseTestCase):
    "Placement business registers"
    module = 'sakai_jobs'
    japanese = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Committed: refused calls are logged in a transaction of their own
        with Transaction().start(DB_NAME, 0):
            cls.users = staff_users(['coordinator', 'counselor', 'manager'],
                name="担当{}")
            Transaction().commit()

    def setUp(self):
        super().setUp()
        self.today = dt.date(2026, 12, 5)
        patcher = patch('trytond.ir.date.Date.today',
            side_effect=lambda *a, **k: self.today)
        patcher.start()
        self.addCleanup(patcher.stop)

    # -- helpers --------------------------------------------------------------

    def employer(self, name="株式会社さかい製作所"):
        Party = Pool().get('party.party')
        employer, = Party.create([{'name': name, 'is_employer': True}])
        return employer

    def order(self, employer, title, received_on, positions=10, **values):
        JobOrder = Pool().get('job.order')
        order, = JobOrder.create([dict({
                        'employer': employer.id, 'title': title,
                        'employment_type': 'full_time',
                        'wage_type': 'monthly', 'wage_min': 200000,
                        'positions': positions,
                        'received_on': received_on}, **values)])
        JobOrder.open([order])
        return order

    def client(self, name="堺 花子", **values):
        pool = Pool()
        Consent = pool.get('party.consent')
        Purpose = pool.get('party.consent.purpose')
        client = create_client(name=name, **values)
        Consent.create([{'party': client.id,
                    'purpose': Purpose.get('employer_sharing').id,
                    'action': 'given', 'at': dt.datetime(2026, 1, 1)}])
        return client

    def propose(self, client, order, on):
        Introduction = Pool().get('job.introduction')
        self.today = on
        return Introduction.propose(client, order, origin='staff',
            override_reason="テストのため")

    def move(self, introduction, state, on, **values):
        Introduction = Pool().get('job.introduction')
        self.today = on
        Introduction.move([introduction], state, **values)

    def place(self, client, order, start, permanent=True, end_date=None,
            end_reason=None, employment_type='full_time'):
        "A placement through an introduction offered ten days before start"
        Placement = Pool().get('job.placement')
        introduction = self.propose(client, order,
            start - dt.timedelta(days=20))
        for state in ['applied', 'offer']:
            self.move(introduction, state, start - dt.timedelta(days=10))
        placement, = Placement.create([{
                    'client': client.id, 'origin': 'introduction',
                    'introduction': introduction.id,
                    'job_order': order.id, 'employer': order.employer.id,
                    'job_title': order.title,
                    'decided_on': start - dt.timedelta(days=10),
                    'start_date': start,
                    'employment_type': employment_type,
                    'permanent': permanent,
                    'wage_type': 'monthly', 'wage': 200000,
                    'end_date': end_date, 'end_reason': end_reason,
                    }])
        return placement

    def pipeline(self):
        """堺 花子 asked in May 2026: introduced to a developed job (placed)
        and a Hello Work job (declined); 堺 桜 became a job seeker the
        fiscal year before"""
        employer = self.employer()
        developed = self.order(employer, "製造スタッフ",
            dt.date(2026, 5, 1), positions=2)
        hello_work = self.order(employer, "一般事務", dt.date(2026, 6, 1),
            positions=1, source='hello_work',
            source_reference='27010-12345678')
        self.order(employer, "倉庫作業", dt.date(2026, 3, 31))
        hanako = self.client()
        first = self.propose(hanako, developed, dt.date(2026, 5, 10))
        second = self.propose(hanako, hello_work, dt.date(2026, 6, 2))
        self.move(first, 'applied', dt.date(2026, 5, 20))
        self.move(first, 'interview', dt.date(2026, 5, 25),
            interview_at=dt.datetime(2026, 6, 1, 1, 0))
        self.move(first, 'offer', dt.date(2026, 6, 10))
        self.move(second, 'ended', dt.date(2026, 6, 5), end_reason='declined')
        Placement = Pool().get('job.placement')
        self.today = dt.date(2026, 6, 12)
        Placement.create([{
                    'client': hanako.id, 'origin': 'introduction',
                    'introduction': first.id, 'job_order': developed.id,
                    'employer': employer.id, 'job_title': "製造スタッフ",
                    'decided_on': dt.date(2026, 6, 12),
                    'start_date': dt.date(2026, 7, 1),
                    'employment_type': 'full_time', 'permanent': True,
                    'wage_type': 'monthly', 'wage': 200000}])
        sakura = self.client(name="堺 桜", job_seeker_since=dt.date(2025, 10, 1))
        self.today = dt.date(2026, 12, 5)
        return hanako, sakura, first, second, developed, hello_work

    # -- the registers -------------------------------------------------------

    @with_transaction()
    def test_registers(self):
        "The registers list what the records say, in the period"
        pool = Pool()
        Register = pool.get('job.register', type='report')
        Seeker = pool.get('job.register.seeker')
        Order = pool.get('job.register.order')
        hanako, sakura, first, second, developed, hello_work = (
            self.pipeline())
        self.assertEqual(hanako.job_seeker_since, dt.date(2026, 5, 10))

        seekers = Register.seekers(*FY2026)
        self.assertEqual([s['client'] for s in seekers], ["堺 花子"])
        seeker, = seekers
        self.assertEqual(seeker['received_on'], '2026/05/10')
        self.assertEqual(
            [(i['number'], i['job'], i['stage'], i['date'])
                for i in seeker['introductions']],
            [(first.number, "製造スタッフ", "Placed", '2026/06/12'),
                (second.number, "一般事務", "Ended", '2026/06/05')])
        placement, = seeker['placements']
        self.assertEqual(placement['start'], '2026/07/01')
        self.assertEqual(placement['employer'], "株式会社さかい製作所")
        # The fiscal year before holds 堺 桜
        self.assertEqual(
            [s['client'] for s in Register.seekers(
                    dt.date(2025, 4, 1), dt.date(2026, 3, 31))],
            ["堺 桜"])

        orders = Register.orders(*FY2026)
        self.assertEqual(
            [(o['number'], o['title'], o['positions'], o['source'],
                    o['source_reference'], o['introduced'], o['placed'],
                    o['state'])
                for o in orders],
            [(developed.number, "製造スタッフ", 2, "Developed by the Service",
                    '', 1, 1, "Open"),
                (hello_work.number, "一般事務", 1, "Hello Work",
                    '27010-12345678', 1, 0, "Open")])

        introductions = Register.introductions(*FY2026)
        self.assertEqual(
            [(i['number'], i['proposed_on'], i['client'], i['applied_on'],
                    i['interview_on'], i['offer_on'], i['placed_on'],
                    i['ended_on'], i['outcome'])
                for i in introductions],
            [(first.number, '2026/05/10', "堺 花子", '2026/05/20',
                    '2026/06/01', '2026/06/10', '2026/06/12', '', "Placed"),
                (second.number, '2026/06/02', "堺 花子", '', '', '', '',
                    '2026/06/05', "Declined by the Person")])

        # The list views read the same, and export the same columns
        with Transaction().set_context(
                from_date=FY2026[0], to_date=FY2026[1]):
            seeker_rows = Seeker.search([])
            self.assertEqual([r.client for r in seeker_rows], [hanako])
            exported = Seeker.export_data(seeker_rows, [
                    'received_on', 'client/rec_name', 'introductions',
                    'placements'])
            self.assertEqual(exported[0][:2],
                [dt.date(2026, 5, 10), "堺 花子"])
            self.assertIn(first.number, exported[0][2])
            self.assertIn("2026/07/01", exported[0][3])
            order_rows = Order.search([])
            self.assertEqual([r.job_order for r in order_rows],
                [developed, hello_work])
            self.assertEqual([(r.introduced, r.placed) for r in order_rows],
                [(1, 1), (1, 0)])

    @with_transaction()
    def test_access(self):
        "Coordinators read the registers; managers the figures only"
        pool = Pool()
        Seeker = pool.get('job.register.seeker')
        Order = pool.get('job.register.order')
        Figures = pool.get('job.register.figures')
        self.pipeline()
        with as_user(self.users['coordinator']):
            self.assertEqual(len(Seeker.search([])), 1)
            self.assertEqual(len(Order.search([])), 2)
            self.assertEqual(len(Figures.search([])), 1)
        for group in ['manager', 'counselor']:
            with self.subTest(group=group), as_user(self.users[group]):
                with self.assertRaises(AccessError):
                    Seeker.search([])
                with self.assertRaises(AccessError):
                    Order.search([])
        with as_user(self.users['manager']):
            figures, = Figures.search([])
            self.assertEqual(
                (figures.fiscal_year, figures.placements, figures.permanent),
                (2026, 1, 1))
        with as_user(self.users['counselor']):
            with self.assertRaises(AccessError):
                Figures.search([])

    # -- the figures ----------------------------------------------------------

    @with_transaction()
    def test_figures(self):
        """Placements through introduction, the permanent ones, those who
        left within six months (dismissals excepted) and those whose six
        months are not over"""
        pool = Pool()
        Register = pool.get('job.register', type='report')
        Figures = pool.get('job.register.figures')
        Placement = pool.get('job.placement')
        employer = self.employer()
        order = self.order(employer, "介護職員", dt.date(2024, 1, 10),
            positions=50)
        people = iter(self.client(name="求職者%d" % i) for i in range(10))
        d = dt.date
        # Left on the day before six months: within
        self.place(next(people), order, d(2025, 4, 1),
            end_date=d(2025, 9, 30), end_reason='resigned')
        # Left on the day six months after the start: stayed six months
        self.place(next(people), order, d(2025, 4, 1),
            end_date=d(2025, 10, 1), end_reason='resigned')
        # Dismissed within six months: not counted
        self.place(next(people), order, d(2025, 5, 1),
            end_date=d(2025, 6, 30), end_reason='dismissed')
        # Still in work, six months over
        self.place(next(people), order, d(2025, 6, 1))
        # Not permanent, left early
        self.place(next(people), order, d(2025, 8, 1), permanent=False,
            employment_type='contract', end_date=d(2025, 9, 1),
            end_reason='contract_end')
        # The fiscal year before
        self.place(next(people), order, d(2025, 3, 31))
        # Started in July 2026, its six months not over in December
        self.place(next(people), order, d(2026, 7, 1))
        # Found elsewhere: not through the introduction
        Placement.create([{
                    'client': next(people).id, 'origin': 'elsewhere',
                    'employer_name': "他社", 'decided_on': d(2025, 4, 20),
                    'start_date': d(2025, 5, 1), 'employment_type': 'full_time',
                    'permanent': True, 'wage_type': 'monthly',
                    'wage': 180000}])
        self.today = d(2026, 12, 5)

        self.assertEqual(Register.figures(d(2025, 4, 1), d(2026, 3, 31)), {
                'placements': 5, 'permanent': 4,
                'left_within_six_months': 1, 'six_months_not_over': 0})
        self.assertEqual(Register.figures(*FY2026), {
                'placements': 1, 'permanent': 1,
                'left_within_six_months': 0, 'six_months_not_over': 1})
        # On the day six months after its start, the outcome is known
        self.today = d(2027, 1, 1)
        self.assertEqual(
            Register.figures(*FY2026)['six_months_not_over'], 0)
        self.today = d(2026, 12, 5)

        self.assertEqual(
            [(f.fiscal_year, f.from_date, f.placements, f.permanent,
                    f.left_within_six_months, f.six_months_not_over)
                for f in Figures.search([])],
            [(2026, d(2026, 4, 1), 1, 1, 0, 1),
                (2025, d(2025, 4, 1), 5, 4, 1, 0),
                (2024, d(2024, 4, 1), 1, 1, 0, 0)])

    # -- the printables -------------------------------------------------------

    @with_transaction()
    def test_print(self):
        "The registers and the introduction letter print in Japanese"
        pool = Pool()
        Register = pool.get('job.register', type='report')
        Letter = pool.get('job.introduction.letter', type='report')
        Wizard = pool.get('job.register.print', type='wizard')
        Consent = pool.get('party.consent')
        Purpose = pool.get('party.consent.purpose')
        hanako, _, first, _, developed, hello_work = self.pipeline()
        data = {'from_date': '2026-04-01', 'to_date': '2027-03-31'}
        with as_user(self.users['coordinator']), \
                Transaction().set_context(language='ja'):
            oext, content, _, name = Register.execute([], data)
            self.assertEqual(oext, 'html')
            for text in ["堺 花子", first.number, developed.number,
                    '27010-12345678', '2026/04/01', '2027/03/31']:
                self.assertIn(text, content)
            oext, content, _, _ = Letter.execute([first.id], {})
            self.assertEqual(oext, 'html')
            for text in ["堺 花子", "株式会社さかい製作所", "製造スタッフ",
                    developed.number, first.number]:
                self.assertIn(text, content)

            # The wizard prints the period it is given
            session_id, _, _ = Wizard.create()
            wizard = Wizard(session_id)
            wizard.start.from_date = dt.date(2026, 4, 1)
            wizard.start.to_date = dt.date(2027, 3, 31)
            action, wdata = wizard.do_print_({})
            self.assertEqual(wdata, data)

            # A period ending before it starts
            with self.assertRaises(UserError):
                Register.execute([], {
                        'from_date': '2027-03-31', 'to_date': '2026-04-01'})
            wizard.start.from_date = dt.date(2027, 4, 1)
            with self.assertRaises(UserError):
                wizard.do_print_({})

        # Nobody else prints the registers
        action_id = pool.get('ir.model.data').get_id(
            'sakai_jobs', 'report_register')
        for group in ['counselor', 'manager']:
            with self.subTest(group=group), as_user(self.users[group]):
                with self.assertRaises(AccessError):
                    Register.execute([], dict(data, action_id=action_id))

        # A withdrawn consent stops the letter
        Consent.create([{'party': hanako.id,
                    'purpose': Purpose.get('employer_sharing').id,
                    'action': 'withdrawn', 'at': dt.datetime(2026, 12, 1)}])
        with as_user(self.users['coordinator']):
            with self.assertRaises(UserError):
                Letter.execute([first.id], {})
