# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The rich menu's buttons across modules: each answers, and a feature
other than a questionnaire pauses the conversation in progress."""
import datetime as dt
import unittest

from line_standin import webhook as line_webhook

from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)


class MenuTestCase(unittest.TestCase):
    "Rich menu buttons"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(['sakai_jobs', 'sakai_seminars'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def tap(self, user, key):
        Event = Pool().get('line.event')
        return Event()._menu(user, key)

    @with_transaction()
    def test_menus(self):
        pool = Pool()
        LineUser = pool.get('line.user')
        Response = pool.get('questionnaire.response')
        Seminar = pool.get('seminar.seminar')
        Programme = pool.get('support.programme')
        Programme.create([{'name': "堺市ひとり親家庭就業支援",
                    'municipality': "堺市", 'office_phone': '072-228-1234'}])
        user, = LineUser.create([{
                    'line_id': line_webhook.random_user_id(),
                    'state': 'following'}])
        start = dt.datetime.now() + dt.timedelta(days=3)
        Seminar.create([{'name': "自立支援セミナー", 'kind': 'self_reliance',
                    'capacity': 20, 'sessions': [('create', [{
                                    'start': start,
                                    'end': start + dt.timedelta(hours=2),
                                    'method': 'face_to_face',
                                    'capacity': 20, 'childcare': True}])]}])

        # The diagnosis starts; a feature button pauses it first
        diagnosis = self.tap(user, 'diagnosis')
        self.assertIn('quickReply', diagnosis[-1])
        response, = Response.search([('line_user', '=', user.id)])
        seminars = self.tap(user, 'seminars')
        self.assertEqual(response.state, 'paused')
        self.assertEqual(seminars[-1]['type'], 'flex')
        self.assertEqual(len(seminars[-1]['contents']['contents']), 1)
        self.assertEqual(len(seminars), 2)

        # Nothing left to pause: the features answer alone
        exchange = self.tap(user, 'exchange')
        self.assertEqual([m['type'] for m in exchange], ['text'])
        # Booking starts with the kind; no slots are needed to ask it
        booking = self.tap(user, 'booking')
        kinds = [i['action']['data']
            for i in booking[-1]['quickReply']['items']]
        self.assertEqual(kinds, ['bk?a=kind&k=career',
                'bk?a=kind&k=job_introduction'])
        checks = self.tap(user, 'assessment')
        self.assertEqual([m['type'] for m in checks], ['flex'])

        # My page offers to go on with the paused diagnosis
        mypage = self.tap(user, 'mypage')
        data = [i['action']['data'] for i in mypage[0]['quickReply']['items']]
        self.assertEqual(data, ['resume', 'menu=diagnosis'])

        # The diagnosis button goes on where she stopped, nothing paused
        again = self.tap(user, 'diagnosis')
        self.assertEqual(response.state, 'in_progress')
        self.assertEqual(len(Response.search([])), 1)
        self.assertIn('quickReply', again[-1])
