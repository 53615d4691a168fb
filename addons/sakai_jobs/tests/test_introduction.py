# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Job introductions: the rules that hold whoever calls, and bad input.

Each refused call goes through ``dispatch`` (a transaction of its own, as
the JSON-RPC dispatcher runs it, as a staff login), or, where the form
cannot send the value at all (the stage, a placement's introduction:
refused by sakai_audit's read-only guard first), through the code that
does (the Record Placement wizard, ``attempt``): it raises a clear error
and leaves nothing half-written, which is checked afterwards in a fresh
transaction.  The fixtures of such a test are committed first, each test
with people and job orders of its own.

The messages are asserted in English, their source text, except the
consent message, which Japanese already translates (the lead writes the
Japanese of the introduction messages in locale/ja.po at the end of the
step: then assert them in Japanese too, see JAPANESE_LATER).
"""
import datetime as dt
from contextlib import contextmanager

from trytond.i18n import gettext
from trytond.model.exceptions import AccessError, SQLConstraintError
from trytond.model.modelview import AccessButtonError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, with_transaction
from trytond.transaction import Transaction

from sakai_audit.exceptions import ReadonlyFieldError
from sakai_counseling.exceptions import ConsentError
from sakai_counseling.tests.tools import create_client
from sakai_line.tests.tools import (
    DatabaseTestCase, as_user, dispatch, rpc, staff_users)
from sakai_programme.programme import utcnow

from ..exceptions import IntroductionError, PlacementError

# The key phrases of the English messages asserted below; when ja.po has
# them, add the Japanese next to each (JAPANESE_LATER)
NOT_OPEN = "is not open: only open job orders are introduced"
DIRECTION = "No completed counseling record marks the career direction"
BACKWARDS = "stages only move forward"
TWICE = "already has an open introduction to this job order"
BEFORE_OFFER = "is before the offer of"
WAGE = "is outside the range of job order"
CONSENT = "has no current consent to"
READONLY = "is read-only on the form and cannot be changed"
OVERRIDE_FIELD = "Why Go Ahead Without Clear Direction"
END_REASON = "ends with a reason"
PLACED_WITHOUT = "is placed by recording the placement"
# Japanese already translated (sakai_counseling/locale/ja.po)
CONSENT_JA = "への現在有効な同意がないため、情報は提供されません"


class IntroductionTestCase(DatabaseTestCase):
    "Job introductions: rules and bad input"
    module = 'sakai_jobs'
    japanese = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with Transaction().start(DB_NAME, 0) as transaction:
            cls.users = staff_users(['coordinator', 'counselor'])
            Party = Pool().get('party.party')
            employer, = Party.create([{
                        'name': "株式会社テスト商事", 'is_employer': True}])
            cls.employer = employer.id
            transaction.commit()

    # Fixtures

    def today(self):
        return Pool().get('ir.date').today()

    def client(self, name, consent=True, clear=True, line=False):
        """A client consenting to sharing with employers (unless told) whose
        completed counseling record marks the direction clear (unless
        told)"""
        pool = Pool()
        Consent = pool.get('party.consent')
        Purpose = pool.get('party.consent.purpose')
        Record = pool.get('counseling.record')
        values = {}
        if line:
            line_user, = pool.get('line.user').create([{
                        'line_id': 'U' + ('%032x' % abs(hash(name)))[:32],
                        'state': 'following'}])
            values['line_user'] = line_user.id
        client = create_client(name, **values)
        if consent:
            Consent.create([{'party': client.id,
                        'purpose': Purpose.get('employer_sharing').id,
                        'action': 'given',
                        'at': utcnow() - dt.timedelta(days=30),
                        'channel': 'paper'}])
        if clear:
            start = utcnow() - dt.timedelta(days=7)
            record, = Record.create([{'client': client.id,
                        'counselor': self.users['counselor'],
                        'kind': 'career', 'method': 'chat', 'start': start,
                        'direction_clear': True}])
            Record.complete([record])
        return client

    def withdraw(self, client):
        pool = Pool()
        pool.get('party.consent').create([{'party': client.id,
                    'purpose': pool.get('party.consent.purpose').get(
                        'employer_sharing').id,
                    'action': 'withdrawn', 'at': utcnow(),
                    'channel': 'line'}])

    def order(self, title, positions=1, state='open', valid_until=None,
            received_on=None):
        JobOrder = Pool().get('job.order')
        order, = JobOrder.create([{'employer': self.employer,
                    'title': title, 'wage_type': 'monthly',
                    'wage_min': 200000, 'wage_max': 240000,
                    'positions': positions,
                    'received_on': received_on or self.today(),
                    'valid_until': valid_until}])
        if state != 'draft':
            JobOrder.open([order])
        if state == 'closed':
            JobOrder.close([order])
        return order

    def introduce(self, client, order, to=None, **values):
        "Propose order to client and move it through the stages up to to"
        Introduction = Pool().get('job.introduction')
        introduction = Introduction.propose(client, order, **values)
        if to:
            stages = ['interested', 'applied', 'interview', 'offer']
            for stage in stages[:stages.index(to) + 1]:
                Introduction.move([introduction], stage)
        return introduction

    @contextmanager
    def committed(self):
        "A transaction of root whose work is committed"
        with Transaction().start(DB_NAME, 0) as transaction:
            yield
            transaction.commit()

    def snapshot(self, introduction_id):
        "The stage and the stage history of the introduction, in a new read"
        with Transaction().start(DB_NAME, 0, readonly=True):
            introduction = Pool().get('job.introduction')(introduction_id)
            return introduction.state, [(s.from_state, s.to_state)
                for s in introduction.stages]

    def count(self, model, domain):
        with Transaction().start(DB_NAME, 0, readonly=True):
            return Pool().get(model).search_count(domain)

    @contextmanager
    def attempt(self, user='coordinator'):
        """A transaction of the user (as code runs for them, a wizard's
        transition or a scheduled action): committed when nothing was
        raised, rolled back otherwise"""
        with Transaction().start(DB_NAME, self.users[user]) as transaction:
            yield
            transaction.commit()

    def place(self, ident, **values):
        """Record the placement of introduction ident as the coordinator does
        (the Record Placement wizard), with values changed on its form"""
        with self.attempt():
            Place = Pool().get('job.introduction.place', type='wizard')
            with Transaction().set_context(active_model='job.introduction',
                    active_id=ident, active_ids=[ident]):
                session_id, _, _ = Place.create()
                view = Place.execute(session_id, {}, 'start')['view']
                data = {k: v for k, v in view['defaults'].items()
                    if '.' not in k}
                data.update(values)
                Place.execute(session_id, {'start': data}, 'place')
                Place.delete(session_id)

    def assertRefused(self, exception, phrase, user, model, method, *args):
        """Calling model.method as user (RPC) raises exception whose message
        has phrase"""
        with self.assertRaises(exception) as cm:
            dispatch(DB_NAME, self.users[user], model, method, *args)
        if phrase:
            self.assertIn(phrase, cm.exception.message)
        return cm.exception

    # Consent

    def test_no_consent(self):
        """Without consent to sharing, an introduction may be proposed and
        the person may say they are interested, but nothing goes to the
        employer: no application, interview, offer or letter"""
        with self.committed():
            client = self.client("同意なし 花子", consent=False)
            order = self.order("同意なし 事務")
            introduction = self.introduce(client, order, to='interested')
            ident = introduction.id
        before = self.snapshot(ident)
        self.assertEqual(before[0], 'interested')
        # The coordinator's button
        self.assertRefused(ConsentError, CONSENT, 'coordinator',
            'job.introduction', 'apply', [ident])
        self.assertEqual(self.snapshot(ident), before)
        # Japanese when the user reads Japanese
        with self.assertRaises(ConsentError) as cm:
            dispatch(DB_NAME, self.users['coordinator'], 'job.introduction',
                'apply', [ident], context={'language': 'ja'})
        self.assertIn(CONSENT_JA, cm.exception.message)
        # Whatever code moves it on, and the letter however it is asked for
        for name in ['apply', 'interview', 'offer', 'print_letter']:
            with self.subTest(name=name), self.attempt():
                Introduction = Pool().get('job.introduction')
                with self.assertRaises(ConsentError) as cm:
                    getattr(Introduction, name)([Introduction(ident)])
                self.assertIn(CONSENT, cm.exception.message)
            self.assertEqual(self.snapshot(ident), before)
        with self.attempt():
            Letter = Pool().get('job.introduction.letter', type='report')
            with self.assertRaises(ConsentError):
                Letter.execute([ident], {})
        self.assertEqual(self.snapshot(ident), before)

    def test_consent_withdrawn(self):
        """Consent withdrawn after the application stops the interview, the
        offer and the letter; the introduction may still end"""
        with self.committed():
            client = self.client("撤回 花子")
            order = self.order("撤回 事務")
            introduction = self.introduce(client, order, to='applied')
            self.withdraw(client)
            ident = introduction.id
        before = self.snapshot(ident)
        self.assertEqual(before[0], 'applied')
        for button in ['interview', 'offer', 'print_letter']:
            with self.subTest(button=button):
                self.assertRefused(ConsentError, CONSENT, 'coordinator',
                    'job.introduction', button, [ident])
                self.assertEqual(self.snapshot(ident), before)
        # Stopping is always possible
        with self.committed():
            Introduction = Pool().get('job.introduction')
            Introduction.end_with([Introduction(ident)], 'withdrawn',
                "同意の撤回")
        state, stages = self.snapshot(ident)
        self.assertEqual(state, 'ended')
        self.assertEqual(stages[-1], ('applied', 'ended'))

    # Clear direction and its override

    def test_direction_not_clear(self):
        "No record marks the direction clear and no override: refused"
        with self.committed():
            client = self.client("方向未定 花子", clear=False)
            order = self.order("方向未定 事務")
            client_id, order_id = client.id, order.id
        for user in ['coordinator', 'counselor']:
            with self.subTest(user=user):
                self.assertRefused(IntroductionError, DIRECTION, user,
                    'job.introduction', 'create', [{
                            'client': client_id, 'job_order': order_id,
                            'coordinator': self.users['coordinator']}])
        # A blank reason is no reason
        self.assertRefused(IntroductionError, DIRECTION, 'coordinator',
            'job.introduction', 'create', [{
                    'client': client_id, 'job_order': order_id,
                    'coordinator': self.users['coordinator'],
                    'override_reason': "  \n"}])
        self.assertEqual(self.count('job.introduction',
                [('client', '=', client_id)]), 0)
        self.assertEqual(self.count('job.introduction.stage',
                [('introduction.client', '=', client_id)]), 0)
        with Transaction().start(DB_NAME, 0, readonly=True):
            client = Pool().get('party.party')(client_id)
            self.assertIsNone(client.job_seeker_since)

    def test_override_by_coordinator(self):
        "A coordinator goes ahead with a written reason, which is kept"
        with self.committed():
            client = self.client("例外 花子", clear=False)
            order = self.order("例外 事務")
            client_id, order_id = client.id, order.id
        reason = "本人の希望が明確で、相談予約が2週間先のため先に紹介する。"
        ident, = dispatch(DB_NAME, self.users['coordinator'],
            'job.introduction', 'create', [{
                    'client': client_id, 'job_order': order_id,
                    'coordinator': self.users['coordinator'],
                    'override_reason': reason}])
        with Transaction().start(DB_NAME, 0, readonly=True):
            introduction = Pool().get('job.introduction')(ident)
            self.assertEqual(introduction.override_reason, reason)
            self.assertFalse(introduction.direction_clear)
            self.assertEqual(introduction.state, 'proposed')
            self.assertEqual(introduction.proposed_by.id,
                self.users['coordinator'])
            self.assertEqual(
                [(s.from_state, s.to_state) for s in introduction.stages],
                [(None, 'proposed')])
            self.assertEqual(introduction.client.job_seeker_since,
                self.today())

    def test_override_by_counselor(self):
        """A counselor may propose to a person whose direction is clear, but
        not go ahead without it: the override is a coordinator's"""
        with self.committed():
            unclear = self.client("相談員例外 花子", clear=False)
            clear = self.client("相談員提案 花子")
            order = self.order("相談員 事務")
            unclear_id, clear_id, order_id = unclear.id, clear.id, order.id
        self.assertRefused(AccessError, OVERRIDE_FIELD, 'counselor',
            'job.introduction', 'create', [{
                    'client': unclear_id, 'job_order': order_id,
                    'coordinator': self.users['coordinator'],
                    'override_reason': "急ぎのため"}])
        self.assertEqual(self.count('job.introduction',
                [('client', '=', unclear_id)]), 0)
        ident, = dispatch(DB_NAME, self.users['counselor'],
            'job.introduction', 'create', [{
                    'client': clear_id, 'job_order': order_id,
                    'coordinator': self.users['coordinator']}])
        # Nor may a counselor write a reason afterwards, nor move it
        self.assertRefused(AccessError, None, 'counselor',
            'job.introduction', 'write', [ident],
            {'override_reason': "後から"})
        self.assertRefused(AccessButtonError, None, 'counselor',
            'job.introduction', 'apply', [ident])
        self.assertEqual(self.snapshot(ident),
            ('proposed', [(None, 'proposed')]))

    @with_transaction()
    def test_override_in_transaction(self):
        "The same rules for code called as the counselor (as_user, rpc)"
        Introduction = Pool().get('job.introduction')
        client = self.client("相談員例外 二郎", clear=False)
        order = self.order("相談員 二郎 事務")
        with as_user(self.users['counselor']):
            with self.assertRaises(AccessError) as cm:
                rpc(Introduction, 'create', [{
                            'client': client.id, 'job_order': order.id,
                            'coordinator': self.users['coordinator'],
                            'override_reason': "急ぎのため"}])
            self.assertIn(OVERRIDE_FIELD, cm.exception.message)
        with as_user(self.users['coordinator']):
            ident, = rpc(Introduction, 'create', [{
                        'client': client.id, 'job_order': order.id,
                        'coordinator': self.users['coordinator'],
                        'override_reason': "急ぎのため"}])
        self.assertEqual(Introduction(ident).override_reason, "急ぎのため")

    # The job order

    def test_closed_job_order(self):
        "Only open job orders are introduced"
        with self.committed():
            client = self.client("締切 花子")
            closed = self.order("締切 事務", state='closed')
            draft = self.order("下書き 事務", state='draft')
            client_id, ids = client.id, [closed.id, draft.id]
        for order_id in ids:
            self.assertRefused(IntroductionError, NOT_OPEN, 'coordinator',
                'job.introduction', 'create', [{
                        'client': client_id, 'job_order': order_id,
                        'coordinator': self.users['coordinator']}])
        self.assertEqual(self.count('job.introduction',
                [('client', '=', client_id)]), 0)
        # Proposed from code (rolled back: the error aborts the call)
        with Transaction().start(DB_NAME, self.users['coordinator']):
            pool = Pool()
            Introduction = pool.get('job.introduction')
            with self.assertRaises(IntroductionError) as cm:
                Introduction.propose(pool.get('party.party')(client_id),
                    pool.get('job.order')(ids[0]))
            self.assertIn(NOT_OPEN, cm.exception.message)

    def test_twice(self):
        """One open introduction per person and job order; another once the
        first has ended"""
        with self.committed():
            client = self.client("二重 花子")
            order = self.order("二重 事務")
            first = self.introduce(client, order)
            client_id, order_id, first_id = client.id, order.id, first.id
        values = {'client': client_id, 'job_order': order_id,
            'coordinator': self.users['coordinator']}
        self.assertRefused(SQLConstraintError, TWICE, 'coordinator',
            'job.introduction', 'create', [values])
        self.assertEqual(self.count('job.introduction',
                [('client', '=', client_id)]), 1)
        with self.committed():
            pool = Pool()
            Introduction = pool.get('job.introduction')
            client = pool.get('party.party')(client_id)
            order = pool.get('job.order')(order_id)
            # Proposing again gives the one open
            self.assertEqual(Introduction.propose(client, order).id,
                first_id)
            Introduction.end_with([Introduction(first_id)], 'declined')
        second_id, = dispatch(DB_NAME, self.users['coordinator'],
            'job.introduction', 'create', [values])
        self.assertNotEqual(second_id, first_id)
        self.assertEqual(self.snapshot(first_id)[0], 'ended')
        self.assertEqual(self.snapshot(second_id)[0], 'proposed')

    # Stages

    def test_backwards(self):
        """Writing the stage back: refused, the stage and its history
        unchanged"""
        with self.committed():
            Introduction = Pool().get('job.introduction')
            order = self.order("逆行 事務")
            introduction = self.introduce(self.client("逆行 花子"), order,
                to='applied')
            ended = self.introduce(self.client("逆行 二郎"), order)
            Introduction.end_with([ended], 'declined')
            other = self.introduce(self.client("逆行 三郎"), order)
            ident, ended_id, other_id = introduction.id, ended.id, other.id
        before = self.snapshot(ident)
        ended_before = self.snapshot(ended_id)
        other_before = self.snapshot(other_id)
        # As an RPC call may: the stage is not written through the form
        self.assertRefused(ReadonlyFieldError, READONLY, 'coordinator',
            'job.introduction', 'write', [ident], {'state': 'proposed'})
        self.assertEqual(self.snapshot(ident), before)
        # Whatever code writes it
        for ident_, state, expected in [
                (ident, 'proposed', before),
                (ident, 'interested', before),
                (ended_id, 'proposed', ended_before),
                (ended_id, 'applied', ended_before),
                ]:
            with self.subTest(introduction=ident_, state=state):
                with self.attempt():
                    Introduction = Pool().get('job.introduction')
                    with self.assertRaises(IntroductionError) as cm:
                        Introduction.write([Introduction(ident_)],
                            {'state': state})
                    self.assertIn(BACKWARDS, cm.exception.message)
                self.assertEqual(self.snapshot(ident_), expected)
        # Several at once: none moves when one may not
        with self.assertRaises(IntroductionError):
            with self.attempt():
                Introduction = Pool().get('job.introduction')
                Introduction.write(Introduction.browse([other_id, ident]),
                    {'state': 'interested'})
        self.assertEqual(self.snapshot(other_id), other_before)
        self.assertEqual(self.snapshot(ident), before)

    def test_end_and_place_need_their_record(self):
        """An introduction ends with a reason and is placed by recording
        the placement, whatever code moves it"""
        with self.committed():
            order = self.order("理由 事務")
            introduction = self.introduce(self.client("理由 花子"), order,
                to='offer')
            ident = introduction.id
        before = self.snapshot(ident)
        for values, phrase in [
                ({'state': 'ended'}, END_REASON),
                ({'state': 'placed'}, PLACED_WITHOUT),
                ]:
            with self.subTest(values=values):
                with self.attempt():
                    Introduction = Pool().get('job.introduction')
                    with self.assertRaises(IntroductionError) as cm:
                        Introduction.write([Introduction(ident)], values)
                    self.assertIn(phrase, cm.exception.message)
                self.assertEqual(self.snapshot(ident), before)

    @with_transaction()
    def test_stage_history(self):
        "Each move is dated and kept with who made it, and where"
        pool = Pool()
        Introduction = pool.get('job.introduction')
        Placement = pool.get('job.placement')
        today = self.today()
        client = self.client("履歴 花子")
        order = self.order("履歴 事務")
        with as_user(self.users['coordinator']):
            introduction = Introduction.propose(client, order)
        with Transaction().set_context(introduction_by_line=True):
            Introduction.move([introduction], 'interested')
        with Transaction().set_user(self.users['coordinator']):
            for stage in ['applied', 'interview', 'offer']:
                Introduction.move([introduction], stage)
            Placement.create([{'client': client.id,
                        'origin': 'introduction',
                        'introduction': introduction.id,
                        'job_order': order.id,
                        'employer': self.employer,
                        'decided_on': today, 'start_date': today,
                        'employment_type': 'full_time',
                        'wage_type': 'monthly', 'wage': 210000}])
        introduction = Introduction(introduction.id)
        self.assertEqual(introduction.state, 'placed')
        self.assertEqual(
            [(s.from_state, s.to_state) for s in introduction.stages], [
                (None, 'proposed'), ('proposed', 'interested'),
                ('interested', 'applied'), ('applied', 'interview'),
                ('interview', 'offer'), ('offer', 'placed')])
        self.assertEqual([s.by_line for s in introduction.stages],
            [False, True, False, False, False, False])
        self.assertTrue(all(s.at for s in introduction.stages))
        self.assertEqual({s.user.id for s in introduction.stages[2:]},
            {self.users['coordinator']})
        for name in ['proposed_on', 'interested_on', 'applied_on',
                'offer_on', 'placed_on']:
            self.assertEqual(getattr(introduction, name), today, name)
        self.assertEqual(len(introduction.placement), 1)
        # A move to the same stage adds nothing
        count = len(introduction.stages)
        Introduction.write([introduction], {'state': 'placed'})
        self.assertEqual(len(Introduction(introduction.id).stages), count)
        # The history is not rewritten by a staff login
        Stage = pool.get('job.introduction.stage')
        with as_user(self.users['coordinator']):
            with self.assertRaises(AccessError):
                rpc(Stage, 'write', [introduction.stages[0].id],
                    {'to_state': 'offer'})

    # Placements

    def test_placement_before_offer(self):
        "Work starts on or after the offer"
        with self.committed():
            client = self.client("内定前 花子")
            order = self.order("内定前 事務")
            introduction = self.introduce(client, order, to='offer')
            today = self.today()
            Pool().get('job.introduction').write([introduction], {
                    'offer_on': today - dt.timedelta(days=2)})
            ident, client_id, order_id = (
                introduction.id, client.id, order.id)
        before = self.snapshot(ident)
        with self.assertRaises(PlacementError) as cm:
            self.place(ident, decided_on=today - dt.timedelta(days=5),
                start_date=today - dt.timedelta(days=3))
        self.assertIn(BEFORE_OFFER, cm.exception.message)
        self.assertEqual(self.snapshot(ident), before)
        self.assertEqual(self.count('job.placement',
                [('client', '=', client_id)]), 0)
        with Transaction().start(DB_NAME, 0, readonly=True):
            self.assertEqual(
                Pool().get('job.order')(order_id).state, 'open')
        # A placement is not written through the form with an introduction
        self.assertRefused(ReadonlyFieldError, READONLY, 'coordinator',
            'job.placement', 'create', [{
                    'client': client_id, 'origin': 'introduction',
                    'introduction': ident, 'job_order': order_id,
                    'employer': self.employer,
                    'decided_on': today, 'start_date': today,
                    'employment_type': 'full_time',
                    'wage_type': 'monthly', 'wage': 210000}])
        # On the day of the offer it is recorded
        self.place(ident, decided_on=today - dt.timedelta(days=2),
            start_date=today - dt.timedelta(days=2))
        self.assertEqual(self.snapshot(ident)[0], 'placed')

    def test_wage_outside_range(self):
        "The wage agreed is within the job order's range"
        with self.committed():
            client = self.client("賃金 花子")
            order = self.order("賃金 事務")
            introduction = self.introduce(client, order, to='offer')
            ident, client_id = introduction.id, client.id
            today = self.today()
        before = self.snapshot(ident)
        for wage in [199999, 240001]:
            with self.subTest(wage=wage):
                with self.assertRaises(PlacementError) as cm:
                    self.place(ident, wage=wage, start_date=today)
                self.assertIn(WAGE, cm.exception.message)
                self.assertEqual(self.snapshot(ident), before)
        self.assertEqual(self.count('job.placement',
                [('client', '=', client_id)]), 0)
        # Within the range, it is recorded and places the introduction
        self.place(ident, wage=240000, start_date=today)
        self.assertEqual(self.snapshot(ident)[0], 'placed')
        self.assertEqual(self.count('job.placement',
                [('client', '=', client_id)]), 1)

    @with_transaction()
    def test_filled_by_itself(self):
        """A job order with every position placed is filled; its other open
        introductions end as filled and wait for the coordinator"""
        pool = Pool()
        Introduction = pool.get('job.introduction')
        Placement = pool.get('job.placement')
        Message = pool.get('line.message')
        today = self.today()
        order = self.order("充足 事務", positions=2)
        placed = [self.introduce(self.client("充足 %s" % n), order,
                to='offer') for n in ["一郎", "二郎"]]
        waiting = self.introduce(self.client("充足 三郎", line=True), order,
            to='interested')
        proposed = self.introduce(self.client("充足 四郎"), order)

        def place(introduction):
            Placement.create([{'client': introduction.client.id,
                        'origin': 'introduction',
                        'introduction': introduction.id,
                        'job_order': order.id, 'employer': self.employer,
                        'decided_on': today, 'start_date': today,
                        'employment_type': 'full_time',
                        'wage_type': 'monthly', 'wage': 220000}])
        place(placed[0])
        self.assertEqual(order.__class__(order.id).state, 'open')
        self.assertEqual(Introduction(waiting.id).state, 'interested')
        place(placed[1])
        order = order.__class__(order.id)
        self.assertEqual(order.state, 'filled')
        self.assertEqual(order.placed, 2)
        for introduction in placed:
            self.assertEqual(Introduction(introduction.id).state, 'placed')
        for introduction in [waiting, proposed]:
            introduction = Introduction(introduction.id)
            self.assertEqual(introduction.state, 'ended')
            self.assertEqual(introduction.end_reason, 'filled')
            self.assertEqual(introduction.ended_on, today)
            self.assertEqual(introduction.waiting, 'job_closed')
            self.assertTrue(introduction.waiting_since)
            self.assertEqual(introduction.stages[-1].to_state, 'ended')
        # The person on LINE is told; the other is not on LINE (the card
        # pushed when the job was proposed to her is not this notice)
        with Transaction().set_context(language='ja'):
            notice = gettext('sakai_jobs.msg_introduction_notice_description')
        messages = Message.search([('description', '=', notice)])
        self.assertEqual(len(messages), 1)
        self.assertIn("充足 事務", messages[0].content)

    @with_transaction()
    def test_close_expired(self):
        """The scheduled action closes the open job orders past their date
        and ends their open introductions"""
        pool = Pool()
        Introduction = pool.get('job.introduction')
        JobOrder = pool.get('job.order')
        today = self.today()
        expired = self.order("期限切れ 事務",
            received_on=today - dt.timedelta(days=30),
            valid_until=today - dt.timedelta(days=1))
        current = self.order("期限内 事務",
            received_on=today - dt.timedelta(days=30), valid_until=today)
        lasting = self.order("無期限 事務")
        client = self.client("期限 花子")
        introductions = [self.introduce(client, o, to='applied')
            for o in [expired, current, lasting]]
        JobOrder.close_expired()
        self.assertEqual([JobOrder(o.id).state
                for o in [expired, current, lasting]],
            ['closed', 'open', 'open'])
        ended, *others = [Introduction(i.id) for i in introductions]
        self.assertEqual(
            (ended.state, ended.end_reason, ended.waiting),
            ('ended', 'filled', 'job_closed'))
        self.assertEqual([i.state for i in others], ['applied', 'applied'])
        # Nothing left to close the second time
        JobOrder.close_expired()
        self.assertEqual(len(Introduction(ended.id).stages), 4)


del DatabaseTestCase
