# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Test set-up shared by the suite's tests: test cases with a module
activated (and the LINE stand-in running), staff users, calls as a user."""
import unittest
from contextlib import contextmanager
from unittest.mock import patch

from line_standin import StandIn
from line_standin import webhook as line_webhook

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction

STAFF_GROUPS = ['counselor', 'coordinator', 'manager', 'sysadmin', 'auditor']
# The staff groups by the names the tests give them
GROUP_XML_IDS = {
    'counselor': 'sakai_programme.group_counselor',
    'coordinator': 'sakai_programme.group_coordinator',
    'manager': 'sakai_programme.group_manager',
    'sysadmin': 'sakai_programme.group_sysadmin',
    'auditor': 'sakai_programme.group_auditor',
    }


def load_japanese(translatable=True):
    """Load Japanese, made translatable unless told, in a transaction of its
    own: people read LINE in Japanese"""
    with Transaction().start(DB_NAME, 0):
        Lang = Pool().get('ir.lang')
        ja, = Lang.search([('code', '=', 'ja')])
        if translatable:
            ja.translatable = True
            ja.save()
        Lang.load_translations([ja])
        Transaction().commit()


def load_japanese_translations():
    "Load the Japanese translations in this transaction, as the set-up does"
    Lang = Pool().get('ir.lang')
    ja, = Lang.search([('code', '=', 'ja')])
    Lang.load_translations([ja])
    return ja


class DatabaseTestCase(unittest.TestCase):
    """A database of its own for the class with `module` (a name or a list)
    activated, and Japanese loaded when `japanese` is set"""
    # By default the LINE channel with what answers people on it
    # (questionnaires, the inbox, the FAQ): one database for these tests
    module = 'sakai_faq'
    japanese = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(cls.module)
        if cls.japanese:
            load_japanese()

    @classmethod
    def tearDownClass(cls):
        drop_db()
        super().tearDownClass()

    @classmethod
    def start_line(cls):
        "Start the LINE stand-in (cls.line) until the class is done"
        cls.line = StandIn().start()
        cls.addClassCleanup(cls.line.stop)

    def followers(self, count=1, state='following'):
        LineUser = Pool().get('line.user')
        return LineUser.create([
                {'line_id': line_webhook.random_user_id(), 'state': state}
                for _ in range(count)])

    def follower(self):
        user, = self.followers(1)
        return user

    def as_user(self, group):
        "Act as the user of the group in self.users (see staff_users)"
        return as_user(self.users[group])

    def assertRefused(self, groups, call):
        "call() as the user of each group raises an AccessError"
        for group in groups:
            with self.subTest(group=group), self.as_user(group):
                with self.assertRaises(AccessError):
                    call()


class LineTestCase(DatabaseTestCase):
    "The module activated, the LINE stand-in started and reset per test"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_line()

    def setUp(self):
        self.line.reset()
        # No real waiting between quick retries in tests
        patcher = patch('sakai_line.message.time.sleep')
        patcher.start()
        self.addCleanup(patcher.stop)

    def configure(self):
        "Point the channel at the stand-in"
        Configuration = Pool().get('line.configuration')
        configuration = Configuration(1)
        configuration.channel_secret = 'secret'
        configuration.channel_access_token = 'token'
        configuration.endpoint = configuration.data_endpoint = self.line.url
        configuration.save()


def group_id(group):
    "The id of the staff group (a key of GROUP_XML_IDS)"
    return Pool().get('ir.model.data').get_id(GROUP_XML_IDS[group])


def staff_user(login, *groups, name=None, **values):
    "A user in the staff groups, named as it logs in unless name is given"
    User = Pool().get('res.user')
    user, = User.create([dict({'login': login, 'name': name or login,
                    'groups': [('add', [group_id(g) for g in groups])]},
                **values)])
    return user


def staff_users(groups=STAFF_GROUPS, name='{}'):
    """One user per staff group, logged in as the group's name and named
    name.format(group): {group: id}"""
    User = Pool().get('res.user')
    users = User.create([{'login': group, 'name': name.format(group),
                'groups': [('add', [group_id(group)])]}
            for group in groups])
    return {group: user.id for group, user in zip(groups, users)}


def create_staff_user(config, login, group_xml_ids, name=None,
        language='ja', **values):
    """A staff user made through proteus (the scenarios): in the groups of
    the XML ids ('sakai_programme.group_counselor'), reading language"""
    from proteus import Model
    User = Model.get('res.user', config=config)
    Group = Model.get('res.group', config=config)
    Lang = Model.get('ir.lang', config=config)
    ModelData = Model.get('ir.model.data', config=config)
    lang, = Lang.find([('code', '=', language)])
    user = User(login=login, name=name or login, language=lang, **values)
    for xml_id in group_xml_ids:
        module, fs_id = xml_id.split('.', 1)
        user.groups.append(
            Group(ModelData.get_id(module, fs_id, config.context)))
    user.save()
    return user


@contextmanager
def as_user(user_id):
    "Act as the user, with access checked as the web client's calls are"
    with Transaction().set_user(user_id), \
            Transaction().set_context(_check_access=True):
        yield


def rpc(Model, method, *args):
    "Call Model.method as the JSON-RPC dispatcher does for the current user"
    procedure = Model.__rpc__[method]
    args, kwargs, context, _ = procedure.convert(Model, *args, {})
    with Transaction().set_context(context):
        func = procedure.decorate(getattr(Model, method))
        return procedure.result(func(*args, **kwargs))


def post_webhook(body, secret, database=DB_NAME):
    """POST the body, signed with secret, to the webhook of the server in
    this process: the status"""
    from trytond.wsgi import app
    from werkzeug.test import Client
    return Client(app).post(f'/{database}/line/webhook', data=body, headers={
            'X-Line-Signature': line_webhook.sign(body, secret),
            'Content-Type': 'application/json'}).status_code


def dispatch(database, user, model, method, *args, context=None,
        remote_addr=None):
    """Call model.method in a transaction of its own as Tryton's JSON-RPC
    dispatcher does for user: arguments converted, the RPC's decorator
    (access checks, audit) applied, committed"""
    from trytond.tools import is_instance_method
    Model = Pool(database).get(model)
    rpc = Model.__rpc__[method]
    with Transaction().start(database, user,
            readonly=rpc.readonly) as transaction:
        args, kwargs, transaction.context, transaction.timestamp = (
            rpc.convert(Model, *args, dict(context or {})))
        if remote_addr:
            transaction.context['_request'] = {'remote_addr': remote_addr}
        func = rpc.decorate(getattr(Model, method))
        if (rpc.instantiate is None
                or not is_instance_method(Model, method)):
            result = rpc.result(func(*args, **kwargs))
        else:
            instance = args.pop(0)
            result = rpc.result(func(instance, *args, **kwargs))
        transaction.commit()
    return result
