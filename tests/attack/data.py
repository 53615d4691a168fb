# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The database the attack suite goes after: the demo data (demo/
load_demo.py) and, on top of it, the records an attacker wants.

One client, 標的 花子, has everything a staff member must not read
unless their role allows it: a referral to a DV agency, counseling records
with health notes, a stress check with a high-stress result that was sent
to her on LINE, and a suicide message (an urgent inquiry and the raw
webhook payload).  Each holds a *marker*, a string that no response to a
group that may not read it may contain.

Built in the test process as user 0, before the server starts; returns
the ``world``: the ids, markers and forbidden strings the cases use.
"""
import datetime as dt
import json

from line_standin import webhook as line_webhook

from trytond.pool import Pool
from trytond.transaction import Transaction

PASSWORD = 'demo-password-2026'
# login: staff group (demo users, plus a second system administrator)
LOGINS = {
    'counselor1': 'counselor',
    'counselor2': 'counselor',
    'coordinator1': 'coordinator',
    'coordinator2': 'coordinator',
    'manager1': 'manager',
    'sysadmin1': 'sysadmin',
    'sysadmin2': 'sysadmin',
    'auditor1': 'auditor',
    }
# The first login of each group acts for it in the generated cases
ACTOR = {
    'counselor': 'counselor1',
    'coordinator': 'coordinator1',
    'manager': 'manager1',
    'sysadmin': 'sysadmin1',
    'auditor': 'auditor1',
    }
TARGET = "標的 花子"
ERASE_TARGET = "消去 対象"
MARKERS = {
    # DV referral: counselors only (rule on agency kind)
    'dv': "DVMARK夫からの暴力",
    # counseling records marked sensitive: counselors only
    'health': "HEALTHMARK通院中",
    # the stress check's result, also copied into the LINE message sent
    'stress': "高ストレスの目安に当てはまりました",
    # what the citizen typed: counselors and coordinators only
    'free': "FREEMARKもう死にたい",
    # a note on her client file: who reads client files
    'note': "NOTEMARK元夫に居場所を知られたくない",
    }
PHONE = '090-3141-5926'
# Who may read what each marker marks (the source's readers)
READERS = {
    'dv': {'counselor'},
    'health': {'counselor'},
    'stress': {'counselor'},
    'free': {'counselor', 'coordinator'},
    'note': {'counselor', 'coordinator', 'manager'},
    }
JST = dt.timezone(dt.timedelta(hours=9))


def utc(day, hour, minute=0):
    "Naive UTC of hour:minute in Japan on day"
    return dt.datetime.combine(day, dt.time(hour, minute), JST).astimezone(
        dt.UTC).replace(tzinfo=None)


class Builder:

    def __init__(self, line_url):
        self.pool = Pool()
        self.line_url = line_url
        self.world = {}

    def get(self, name):
        return self.pool.get(name)

    def build(self):
        ModelData = self.get('ir.model.data')
        self.today = self.get('ir.date').today()
        self.users()
        self.channel()
        self.closure()
        self.group_ids = {g: ModelData.get_id('sakai_programme', f'group_{g}')
            for g in set(LOGINS.values())}
        self.world['group_ids'] = self.group_ids
        self.target()
        self.counseling()
        self.line()
        self.retention()
        self.races()
        self.world['samples'] = self.samples()
        self.world['group_samples'] = self.group_samples()
        self.world['forbidden'] = self.forbidden()
        self.world['markers'] = MARKERS
        return self.world

    def users(self):
        User = self.get('res.user')
        sysadmin1, = User.search([('login', '=', 'sysadmin1')])
        if not User.search([('login', '=', 'sysadmin2')]):
            User.create([{
                        'login': 'sysadmin2',
                        'name': "システム管理者 第二",
                        'password': PASSWORD,
                        'language': sysadmin1.language.id,
                        'companies': [('add', [
                                    c.id for c in sysadmin1.companies])],
                        'company': sysadmin1.company.id,
                        'groups': [('add', [
                                    g.id for g in sysadmin1.groups])],
                        }])
        self.uid = {u.login: u.id for u in User.search(
                [('login', 'in', list(LOGINS))])}
        self.world['users'] = self.uid

    def channel(self):
        "The channel talks to the LINE stand-in, never to LINE"
        Configuration = self.get('line.configuration')
        configuration = Configuration(1)
        configuration.channel_access_token = 'attack-token'
        configuration.channel_secret = 'attack-secret'
        configuration.endpoint = self.line_url
        configuration.data_endpoint = self.line_url
        configuration.save()

    def closure(self):
        "The year-end holidays, as the city closes them every year"
        Closure = self.get('counseling.closure')
        if not Closure.search([('yearly', '=', True)]):
            year = self.today.year
            Closure.create([{'name': "年末年始",
                        'start': utc(dt.date(year, 12, 29), 0),
                        'end': utc(dt.date(year + 1, 1, 4), 0),
                        'yearly': True, 'scope': 'all'}])

    def open_day(self, day, hours=(20, 23)):
        "The first day from day whose evening no closure covers"
        Closure = self.get('counseling.closure')
        while Closure.covering(utc(day, hours[0]), utc(day, hours[1])):
            day += dt.timedelta(days=1)
        return day

    def slot(self, login, day, hour):
        Slot = self.get('counseling.slot')
        start = utc(day, hour)
        slot, = Slot.create([{'counselor': self.uid[login], 'start': start,
                    'end': start + dt.timedelta(hours=1)}])
        return slot

    def booking(self, slot, client, line_user=None):
        Booking = self.get('counseling.booking')
        with Transaction().set_context(booking_from_line=True):
            booking, = Booking.create([{'slot': slot.id,
                        'client': client.id,
                        'line_user': line_user.id if line_user else None,
                        'kind': 'career', 'method': 'chat'}])
        return booking

    def target(self):
        pool = self.pool
        Party = pool.get('party.party')
        LineUser = pool.get('line.user')
        Referral = pool.get('counseling.referral')
        ModelData = pool.get('ir.model.data')
        line_id = line_webhook.random_user_id()
        self.line_user, = LineUser.create([{'line_id': line_id,
                    'state': 'following', 'nickname': "ひみつ"}])
        self.client, = Party.create([{
                    'name': TARGET, 'is_client': True,
                    'household': 'single_mother',
                    'registered_on': self.today - dt.timedelta(days=60),
                    'counselor': self.uid['counselor1'],
                    'line_user': self.line_user.id,
                    'contact_mechanisms': [('create', [{
                                    'type': 'mobile', 'value': PHONE}])],
                    'children': [('create', [{
                                    'birth_date': dt.date(2019, 5, 5)}])],
                    }])
        self.erase_client, = Party.create([{
                    'name': ERASE_TARGET, 'is_client': True,
                    'household': 'other',
                    'registered_on': self.today}])
        dv, hello_work = Referral.create([{
                    'client': self.client.id,
                    'agency': ModelData.get_id('sakai_counseling',
                        'agency_dv'),
                    'counselor': self.uid['counselor1'],
                    'date': self.today - dt.timedelta(days=10),
                    'reason': MARKERS['dv'],
                    'method': 'introduction',
                    }, {
                    'client': self.client.id,
                    'agency': ModelData.get_id('sakai_counseling',
                        'agency_hello_work'),
                    'counselor': self.uid['counselor1'],
                    'date': self.today - dt.timedelta(days=10),
                    'reason': "求人の紹介",
                    'method': 'introduction',
                    }])
        note, = pool.get('ir.note').create([{
                    'resource': str(self.client),
                    'message': MARKERS['note']}])
        self.world.update({
                'children': [c.id for c in self.client.children],
                'phones': [m.id for m in self.client.contact_mechanisms],
                'note': note.id,
                'client': self.client.id,
                'client_name': TARGET,
                'erase_client': self.erase_client.id,
                'line_user': self.line_user.id,
                'line_id': line_id,
                'phone': PHONE,
                'dv_referral': dv.id,
                'referral': hello_work.id,
                })

    def counseling(self):
        pool = self.pool
        Booking = pool.get('counseling.booking')
        Record = pool.get('counseling.record')
        Party = pool.get('party.party')
        others = Party.search([('is_client', '=', True),
                ('id', 'not in', [self.client.id, self.erase_client.id])],
            order=[('id', 'ASC')])
        past = self.open_day(self.today - dt.timedelta(days=20))
        future = self.open_day(self.today + dt.timedelta(days=30))
        later = self.open_day(future + dt.timedelta(days=1))

        # A session held, its record (health notes) completed
        done = self.booking(self.slot('counselor1', past, 20), self.client,
            self.line_user)
        record_done = Record.from_booking(done)
        record_done.sensitive = True
        record_done.concerns = MARKERS['health']
        record_done.notes = MARKERS['health'] + "（うつ病）"
        record_done.save()
        Record.complete([record_done])
        # Amended afterwards (dated amendments keep the original)
        try:
            Amendment = pool.get('counseling.record.amendment')
        except KeyError:
            amendments = []
        else:
            amendments = Amendment.create([{'record': record_done.id,
                        'reason': "追記", 'sensitive': True,
                        'text': MARKERS['health'] + "（服薬中）"}])
        # A session to come, its record drafted ahead
        coming = self.booking(self.slot('counselor1', future, 20),
            self.client, self.line_user)
        record_future = Record.from_booking(coming)
        record_future.sensitive = True
        record_future.notes = MARKERS['health']
        record_future.save()
        # counselor1's plain draft record of another client's session
        plain = self.booking(self.slot('counselor1', past, 21), others[0])
        record_plain = Record.from_booking(plain)
        record_plain.notes = "職務経歴書を一緒に作成"
        record_plain.save()
        # A cancelled booking whose slot was booked again
        revive_slot = self.slot('counselor1', future, 21)
        revive = self.booking(revive_slot, others[1])
        Booking.cancel([revive])
        rebooked = self.booking(revive_slot, others[2])
        # A booking and a taken slot to move by plain writes
        move = self.booking(self.slot('counselor1', future, 22), others[3])
        taken_slot = self.slot('counselor1', later, 20)
        taken = self.booking(taken_slot, others[4])
        self.world.update({
                'booking_done': done.id,
                'booking_future': coming.id,
                'booking_plain': plain.id,
                'booking_revive': revive.id,
                'booking_rebooked': rebooked.id,
                'booking_move': move.id,
                'booking_taken': taken.id,
                'slot_taken': taken_slot.id,
                'record_done': record_done.id,
                'amendments': [a.id for a in amendments],
                'record_future': record_future.id,
                'record_plain': record_plain.id,
                'future_day': future.isoformat(),
                'closure_day': dt.date(self.today.year, 12, 30).isoformat(),
                'other_clients': [p.id for p in others],
                })

    def line(self):
        pool = self.pool
        Event = pool.get('line.event')
        Message = pool.get('line.message')
        Response = pool.get('questionnaire.response')
        Questionnaire = pool.get('questionnaire')
        Inquiry = pool.get('line.inquiry')
        # She writes that she wants to die: the webhook's raw payload,
        # processed as the queue would (urgent inquiry, crisis answer)
        raw = line_webhook.text_message_event(
            self.world['line_id'], MARKERS['free'])
        Event.receive([raw])
        event, = Event.search(
            [('webhook_event_id', '=', raw['webhookEventId'])])
        Event.process([event])
        inquiry, = Inquiry.search([('line_user', '=', self.line_user.id)])
        # She answers the stress check: high stress in every part
        questionnaire = Questionnaire.get_by_code('stress_check')
        messages = Response.start(questionnaire, self.line_user)
        response = Response.active_for(self.line_user)
        while response.state != 'done':
            question = response.current_question
            if question.type == 'single':
                choice, = [c for c in question.choices if c.code == 'yes']
                messages = response.receive('c%d' % choice.id)
            else:
                value = question.scale_max
                if question.reverse:
                    value = question.scale_min
                messages = response.receive('v%d' % value)
        # and reads her result on LINE, as the event processing sends it:
        # marked as health data (line.event._answers_health)
        result = Message.compose([self.line_user], messages[:5],
            description="stress check result", conversation=True,
            deliver=True, sensitive=True)
        # A draft message written by the channel's operator (not sent)
        draft, = Message.create([{'description': "draft",
                    'content': json.dumps([{'type': 'text',
                                'text': "お知らせ"}], ensure_ascii=False)}])
        pool.get('line.message.recipient').add(draft, [self.line_user])
        self.world.update({
                'event': event.id,
                'inquiry': inquiry.id,
                'inquiry_messages': [m.id for m in inquiry.messages],
                'stress_response': response.id,
                'stress_answers': [a.id for a in response.answers],
                'stress_scores': [s.id for s in response.scores],
                'stress_message': result.id,
                'draft_message': draft.id,
                })

    def retention(self):
        """A follow-up after her placement whose notes on her stress and
        childcare carry the marker of what citizens say"""
        try:
            Placement = self.get('job.placement')
            FollowUp = self.get('job.follow_up')
        except KeyError:
            # Not in this database (a model of a later step)
            self.world['follow_ups'] = []
            return
        placement, = Placement.create([{
                    'client': self.client.id, 'origin': 'elsewhere',
                    'employer_name': "株式会社ターゲット",
                    'decided_on': self.today - dt.timedelta(days=20),
                    'start_date': self.today - dt.timedelta(days=10),
                    'employment_type': 'full_time', 'wage_type': 'monthly',
                    'wage': 200000}])
        follow_up = placement.follow_ups[0]
        FollowUp.write([follow_up], {
                'wellbeing': MARKERS['free'],
                'childcare': MARKERS['free'],
                })
        self.world['follow_ups'] = [follow_up.id]

    def races(self):
        "A slot for 20 bookings at once, the clients, and empty weeks"
        Party = self.get('party.party')
        day = self.open_day(self.today + dt.timedelta(days=45))
        slot = self.slot('counselor1', day, 20)
        clients = Party.search([('is_client', '=', True),
                ('id', 'not in', [self.client.id, self.erase_client.id])],
            order=[('id', 'DESC')], limit=20)
        first = self.today + dt.timedelta(days=60)
        first += dt.timedelta(days=(7 - first.weekday()) % 7)  # a Monday
        self.world.update({
                'race_slot': slot.id,
                'race_clients': [c.id for c in clients],
                'race_counselor': self.uid['counselor2'],
                'race_monday': first.isoformat(),
                })

    def plain(self, model):
        """The domain of the records every group allowed to read model may
        read: no DV, health or stress data, no client for the groups that
        read no client file"""
        return self.PLAIN.get(model, []) + {
            'line.message': [('id', '!=', self.world['stress_message'])],
            'line.event': [('id', '!=', self.world['event'])],
            }.get(model, [])

    PLAIN = {
        'party.party': [('is_employer', '=', True)],
        'counseling.record': [('sensitive', '=', False)],
        'counseling.record.step': [('record.sensitive', '=', False)],
        'counseling.referral': [('agency.kind', '!=', 'dv')],
        'questionnaire.response': [('questionnaire.sensitive', '=', False)],
        'questionnaire.response.answer': [
            ('response.questionnaire.sensitive', '=', False)],
        'questionnaire.response.score': [
            ('response.questionnaire.sensitive', '=', False)],
        'questionnaire.tally.choice': [
            ('question.questionnaire.sensitive', '=', False)],
        'questionnaire.tally.question': [
            ('question.questionnaire.sensitive', '=', False)],
        'party.contact_mechanism': [('party.is_client', '=', False)],
        'party.address': [('party.is_client', '=', False)],
        }

    def samples(self):
        """One record per model of the table (the model-access cases write
        and delete it when the group may not): {model: id}"""
        from tests import access_table
        samples = {}
        for model in access_table.MODELS:
            records = self._search(model, self.plain(model))
            if records:
                samples[model] = records[0]
        return samples

    def group_samples(self):
        """Per group, one record per model it may read as its rules let it
        (the model-access cases read it): {group: {model: id}}"""
        from tests import access_table
        samples = {}
        for group, login in ACTOR.items():
            samples[group] = {}
            with Transaction().set_user(self.uid[login]), \
                    Transaction().set_context(_check_access=True):
                for model in access_table.MODELS:
                    records = self._search(model, self.plain(model))
                    if records:
                        samples[group][model] = records[0]
        return samples

    def _search(self, model, domain):
        try:
            Model = self.pool.get(model)
            return [r.id for r in Model.search(
                    domain, order=[('id', 'ASC')], limit=1)]
        except Exception:
            return []

    def forbidden(self):
        """Strings no response to a group may hold: the markers of what it
        may not read, and for the groups that read no client file the
        clients' names and the target's phone number"""
        Party = self.get('party.party')
        names = [p.name for p in Party.search([('is_client', '=', True)])]
        forbidden = {}
        for group in set(LOGINS.values()):
            strings = [m for k, m in MARKERS.items()
                if group not in READERS[k]]
            if group in {'sysadmin', 'auditor'}:
                strings += names + [PHONE[-9:], PHONE.replace('-', '')[-8:]]
            if group == 'auditor':
                strings.append(self.world['line_id'])
            forbidden[group] = strings
        return forbidden


def build(database, line_url):
    "Load the demo data, then the attacker's targets; return the world"
    from demo import load_demo
    load_demo.load(database)
    pool = Pool(database)
    with Transaction().start(database, 0, context={'language': 'ja'}) \
            as transaction:
        world = Builder(line_url).build()
        transaction.commit()
    # What the queue would have run after the commit (replies to LINE)
    from trytond.worker import run_task
    while transaction.tasks:
        run_task(pool, transaction.tasks.pop())
    return world
