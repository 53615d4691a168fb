# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Password policy and login throttling, with the settings of the shipped
configuration templates (docker/trytond.conf, tools/trytond.conf.in)."""
import configparser
import json
import os
import unittest
import unittest.mock

from werkzeug.test import Client

from trytond.config import config
from trytond.pool import Pool
from trytond.res.exceptions import PasswordError
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCKER_CONF = os.path.join(ROOT, 'docker', 'trytond.conf')
DEMO_CONF = os.path.join(ROOT, 'tools', 'trytond.conf.in')
FORBIDDEN = os.path.join(ROOT, 'docker', 'password-forbidden.txt')
LOGIN = 'security_counselor'
PASSWORD = 'Kx7-hanami-2026-Q'


def template(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path, encoding='utf-8')
    return parser


class SecurityTestCase(unittest.TestCase):
    "Passwords and logins"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('sakai_faq')
        production = template(DOCKER_CONF)
        cls.saved = {}
        for section, option, value in [
                ('password', 'length', production.get('password', 'length')),
                ('password', 'entropy',
                    production.get('password', 'entropy')),
                ('password', 'forbidden', FORBIDDEN),
                ('session', 'max_attempt',
                    production.get('session', 'max_attempt')),
                ('session', 'timeout', production.get('session', 'timeout')),
                ]:
            cls.saved[section, option] = config.get(section, option)
            config.set(section, option, value)
        with Transaction().start(DB_NAME, 0) as transaction:
            User = Pool().get('res.user')
            User.create([{'name': "Security Counselor", 'login': LOGIN,
                        'password': PASSWORD}])
            transaction.commit()

    @classmethod
    def tearDownClass(cls):
        for (section, option), value in cls.saved.items():
            if value is None:
                import trytond.config
                trytond.config._config.remove_option(section, option)
                trytond.config._cache_clear()
            else:
                config.set(section, option, value)
        drop_db()

    def test_templates(self):
        "Both configuration templates carry the policy"
        for path in [DOCKER_CONF, DEMO_CONF]:
            with self.subTest(path=path):
                conf = template(path)
                self.assertGreaterEqual(conf.getint('password', 'length'), 12)
                self.assertGreaterEqual(
                    conf.getfloat('password', 'entropy'), 0.5)
                self.assertTrue(conf.get('password', 'forbidden').endswith(
                        'password-forbidden.txt'))
                self.assertEqual(conf.getint('session', 'max_attempt'), 5)
                self.assertEqual(conf.getint('session', 'timeout'), 1800)
                self.assertEqual(conf.getint('session', 'max_age'), 43200)

    def test_database_list_closed(self):
        "Nobody is told the database names, logged in or not"
        from trytond.wsgi import app
        for path in [DOCKER_CONF, DEMO_CONF]:
            with self.subTest(path=path):
                self.assertFalse(template(path).getboolean('database', 'list'))
        saved = config.get('database', 'list')
        config.set('database', 'list', template(DEMO_CONF).get(
                'database', 'list'))
        try:
            response = Client(app).post('/rpc/', data=json.dumps({
                        'id': 1, 'method': 'common.db.list', 'params': []}),
                headers={'Content-Type': 'application/json'})
        finally:
            config.set('database', 'list', saved)
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(DB_NAME, response.text)

    def test_rest_api_closed(self):
        "No key opens Tryton's REST API, which passes by the RPC checks"
        from trytond.wsgi import app
        key = 'k' * 32
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Application = pool.get('res.user.application')
            user, = pool.get('res.user').search([('login', '=', LOGIN)])
            self.assertNotIn('rest', dict(Application.application.selection))
            # a key validated for REST before, written in the table
            table = Application.__table__()
            transaction.connection.cursor().execute(*table.insert(
                    [table.key, table.user, table.application, table.state],
                    [[key, user.id, 'rest', 'validated']]))
            transaction.commit()
        response = Client(app).get(
            f'/{DB_NAME}/rest/model/party.party',
            headers={'Authorization': f'Bearer {key}'})
        self.assertEqual(response.status_code, 401)

    def test_weak_passwords_refused(self):
        "Short, repetitive, listed or personal passwords are refused"
        # Passwords are checked when a person sets them (not user 0)
        with Transaction().start(DB_NAME, 1):
            User = Pool().get('res.user')
            user, = User.search([('login', '=', LOGIN)])
            for password in [
                    'short',  # length
                    'aaaaaaaaaaaaab',  # entropy
                    'ababababababab',  # entropy
                    'password1234',  # forbidden list
                    'sakaicity2026',  # forbidden list
                    'Security Counselor',  # the user's name
                    ]:
                with self.subTest(password=password):
                    with self.assertRaises(PasswordError):
                        User.write([user], {'password': password})
            # A strong one is accepted
            User.write([user], {'password': 'Mw4!sakura-Lp9-tide'})
            Transaction().rollback()

    def rpc_login(self, password):
        from trytond.wsgi import app
        response = Client(app).post('/%s/rpc/' % DB_NAME, data=json.dumps({
                    'id': 1, 'method': 'common.db.login',
                    'params': [LOGIN, {'password': password}, 'ja'],
                    }), headers={'Content-Type': 'application/json'},
            environ_base={'REMOTE_ADDR': '192.0.2.10'})
        return response.status_code, response

    def test_login_throttled(self):
        "After 5 wrong passwords even the right one is refused (429)"
        # trytond sleeps up to 2^n-1 s after each failure: not in tests
        with unittest.mock.patch('trytond.res.user.time.sleep') as sleep:
            status, response = self.rpc_login(PASSWORD)
            self.assertEqual(status, 200)
            self.assertIsInstance(json.loads(response.text)['result'], list)
            statuses = [self.rpc_login('wrong-password-%d' % i)[0]
                for i in range(8)]
            # Failures answer 401 until the limit, then 429
            self.assertEqual(statuses[:6], [401] * 6)
            self.assertEqual(statuses[6:], [429] * 2)
            self.assertEqual(self.rpc_login(PASSWORD)[0], 429)
            # The growing delay was asked for
            self.assertTrue(sleep.called)
        # Another login name is not blocked by these attempts
        with Transaction().start(DB_NAME, 0) as transaction:
            Attempt = Pool().get('res.user.login.attempt')
            self.assertGreaterEqual(Attempt.count(LOGIN), 6)
            self.assertEqual(Attempt.count('admin'), 0)
            # Clean up: the window has "passed"
            Attempt.remove(LOGIN)
            transaction.commit()
        with unittest.mock.patch('trytond.res.user.time.sleep'):
            self.assertEqual(self.rpc_login(PASSWORD)[0], 200)


if __name__ == '__main__':
    unittest.main()
