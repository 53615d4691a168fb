# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""A test case with the module activated and the LINE stand-in running."""
import unittest
from contextlib import contextmanager
from unittest.mock import patch

from line_standin import StandIn
from line_standin import webhook as line_webhook

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, drop_db
from trytond.transaction import Transaction


class LineTestCase(unittest.TestCase):
    "The conversation on LINE activated, the LINE stand-in started and reset"
    # The channel with what answers people on it: questionnaires, the
    # inbox and the FAQ (one database for all these tests)
    module = 'sakai_faq'

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(cls.module)
        cls.line = StandIn().start()

    @classmethod
    def tearDownClass(cls):
        cls.line.stop()
        drop_db()

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

    def followers(self, count=1, state='following'):
        LineUser = Pool().get('line.user')
        return LineUser.create([
                {'line_id': line_webhook.random_user_id(), 'state': state}
                for _ in range(count)])

    def follower(self):
        user, = self.followers(1)
        return user


STAFF_GROUPS = ['counselor', 'coordinator', 'manager', 'sysadmin', 'auditor']


def staff_users(groups=STAFF_GROUPS):
    "One user per staff group, logged in as the group's name: {group: id}"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    users = User.create([{'login': group, 'name': group, 'groups': [
                    ('add', [ModelData.get_id('sakai_programme', f'group_{group}')])]}
            for group in groups])
    return {group: user.id for group, user in zip(groups, users)}


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
