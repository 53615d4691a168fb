# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Least privilege: each staff group can do its job and is refused the rest.

Access is checked the way the web client calls the server: as the user,
with access checks on.
"""
import re
from unittest.mock import patch

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from sakai_counseling.tests.tools import create_client
from sakai_line.tests.tools import (
    DatabaseTestCase, as_user, group_id, rpc, staff_users)

from tests.tools import ALL_MODULES, OUR_MODULES

GROUPS = ['counselor', 'coordinator', 'manager', 'sysadmin', 'auditor']


class StaffTestCase(DatabaseTestCase):
    "Every module; staff of each group, a client, an employer, a job order"
    module = ALL_MODULES

    def setup_data(self, registered_on=None):
        pool = Pool()
        Party = pool.get('party.party')
        JobOrder = pool.get('job.order')
        self.users = staff_users(GROUPS)
        self.client = create_client(
            registered_on=registered_on or pool.get('ir.date').today())
        self.employer, = Party.create([{
                    'name': "株式会社テスト", 'is_employer': True}])
        self.order, = JobOrder.create([{
                    'employer': self.employer.id, 'title': "事務",
                    'wage_min': 1000}])


class AccessTestCase(StaffTestCase):
    "Staff groups and record rules"

    def visible_parties(self, group):
        Party = Pool().get('party.party')
        with self.as_user(group):
            return {p.id for p in Party.search([])}

    @with_transaction()
    def test_client_files_visibility(self):
        "Only counselors, coordinators and managers see client files"
        self.setup_data()
        for group in ['counselor', 'coordinator', 'manager']:
            with self.subTest(group=group):
                self.assertIn(self.client.id, self.visible_parties(group))
        for group in ['sysadmin', 'auditor']:
            with self.subTest(group=group):
                parties = self.visible_parties(group)
                self.assertNotIn(self.client.id, parties)
                self.assertIn(self.employer.id, parties)

    @with_transaction()
    def test_client_files_writing(self):
        "Only counselors register and change clients"
        Party = Pool().get('party.party')
        self.setup_data()
        with self.as_user('counselor'):
            Party.write([Party(self.client.id)], {'current_work': 'none'})
            Party.create([{'name': "新規 相談者", 'is_client': True,
                        'household': 'single_father',
                        'registered_on': self.client.registered_on}])
        for group in ['coordinator', 'manager', 'sysadmin', 'auditor']:
            with self.subTest(group=group), self.as_user(group):
                with self.assertRaises(AccessError):
                    Party.write(
                        [Party(self.client.id)], {'current_work': 'full_time'})
                with self.assertRaises(AccessError):
                    Party.create([{'name': "X", 'is_client': True,
                                'household': 'other',
                                'registered_on': self.client.registered_on}])
        self.assertRefused(GROUPS,
            lambda: Party.delete([Party(self.client.id)]))

    @with_transaction()
    def test_employers_and_job_orders(self):
        "Coordinators keep employers and job orders; others only read"
        pool = Pool()
        Party = pool.get('party.party')
        JobOrder = pool.get('job.order')
        self.setup_data()
        with self.as_user('coordinator'):
            Party.write([Party(self.employer.id)], {'employees': 30})
            order, = JobOrder.create([{'employer': self.employer.id,
                        'title': "介護職員", 'wage_min': 200000}])
            JobOrder.open([order])
        for group in ['counselor', 'manager']:
            with self.subTest(group=group), self.as_user(group):
                self.assertTrue(JobOrder.search([]))
                with self.assertRaises(AccessError):
                    JobOrder.create([{'employer': self.employer.id,
                                'title': "X", 'wage_min': 1000}])
                with self.assertRaises(AccessError):
                    JobOrder.write([JobOrder(self.order.id)], {'title': "Y"})
        self.assertRefused(['sysadmin', 'auditor'],
            lambda: JobOrder.search([]))

    @with_transaction()
    def test_bookings_and_records(self):
        """Counselors and coordinators book; counselors write counseling
        records, coordinators read them; managers see bookings, not records"""
        import datetime as dt
        pool = Pool()
        Slot = pool.get('counseling.slot')
        Booking = pool.get('counseling.booking')
        Record = pool.get('counseling.record')
        self.setup_data()
        # 20:00 and 21:00 in Japan on a Monday
        starts = [dt.datetime(2027, 2, 1, h) for h in (11, 12)]
        with self.as_user('coordinator'):
            slots = Slot.create([{'counselor': self.users['counselor'],
                        'start': s, 'end': s + dt.timedelta(hours=1)}
                    for s in starts])
            booking, = Booking.create([{'slot': slots[0].id,
                        'client': self.client.id}])
        with self.as_user('counselor'):
            Booking.create([{'slot': slots[1].id, 'client': self.client.id}])
            record = Record.from_booking(Booking(booking.id))
            record.save()
            # once the session has taken place
            with patch('sakai_counseling.counseling.utcnow',
                    return_value=starts[0] + dt.timedelta(hours=1)):
                Record.complete([record])
        with self.as_user('coordinator'):
            self.assertEqual(len(Record.search([])), 1)
            with self.assertRaises(AccessError):
                Record.write([Record(record.id)], {'notes': "X"})
        with self.as_user('manager'):
            self.assertEqual(len(Booking.search([])), 2)
            with self.assertRaises(AccessError):
                Booking.create([{'slot': slots[0].id,
                            'client': self.client.id}])
            with self.assertRaises(AccessError):
                Record.search([])
        for group in ['sysadmin', 'auditor']:
            with self.subTest(group=group), self.as_user(group):
                for Model in [Booking, Record]:
                    with self.assertRaises(AccessError):
                        Model.search([])

    @with_transaction()
    def test_seminars(self):
        "Counselors and coordinators run seminars; managers read them"
        Seminar = Pool().get('seminar.seminar')
        self.setup_data()
        for group in ['counselor', 'coordinator']:
            with self.subTest(group=group), self.as_user(group):
                Seminar.create([{'name': group, 'kind': 'exchange',
                            'capacity': 10}])
        with self.as_user('manager'):
            self.assertEqual(len(Seminar.search([])), 2)
            with self.assertRaises(AccessError):
                Seminar.create([{'name': "X", 'kind': 'exchange',
                            'capacity': 10}])
        self.assertRefused(['sysadmin', 'auditor'],
            lambda: Seminar.search([]))

    @with_transaction()
    def test_reports_for_managers(self):
        "Management reports are for managers"
        Report = Pool().get('report.client.household')
        self.setup_data()
        with self.as_user('manager'):
            self.assertEqual(Report.search([])[0].clients, 1)
        self.assertRefused(['counselor', 'coordinator', 'sysadmin', 'auditor'],
            lambda: Report.search([]))

    @with_transaction()
    def test_programme_settings(self):
        "Only system administrators change the programme settings"
        Programme = Pool().get('support.programme')
        self.setup_data()
        with self.as_user('sysadmin'):
            Programme.write([Programme(1)], {'municipality': "堺市"})
        for group in ['counselor', 'coordinator', 'manager', 'auditor']:
            with self.subTest(group=group), self.as_user(group):
                self.assertEqual(Programme(1).municipality, "堺市")
                with self.assertRaises(AccessError):
                    Programme.write([Programme(1)], {'municipality': "X"})

    @with_transaction()
    def test_menus_reachable(self):
        "Every menu entry given to a staff group is in its menu tree"
        Menu = Pool().get('ir.ui.menu')
        self.setup_data()
        for group in GROUPS:
            # an entry under a menu the group does not see is hidden too
            given = Menu.search([('groups', '=', group_id(group))])
            with self.subTest(group=group), self.as_user(group):
                shown = Menu.search([('id', 'in', [m.id for m in given])])
                self.assertEqual(
                    [m.complete_name for m in given if m not in shown], [])

    @with_transaction()
    def test_line_users(self):
        "LINE users are read by staff and the channel's administrator"
        LineUser = Pool().get('line.user')
        self.setup_data()
        user, = LineUser.create([{'line_id': 'U' + 'a' * 32}])
        for group in ['counselor', 'coordinator', 'manager', 'sysadmin']:
            with self.subTest(group=group), self.as_user(group):
                self.assertEqual(len(LineUser.search([])), 1)
                with self.assertRaises(AccessError):
                    LineUser.write([LineUser(user.id)], {'state': 'blocked'})
        with self.as_user('auditor'):
            with self.assertRaises(AccessError):
                LineUser.search([])


# Tryton's models whose rights our modules change
THEIR_MODELS = ['party.party', 'party.contact_mechanism', 'party.address']


def _perms(access, modes='rwcd'):
    names = {'r': 'read', 'w': 'write', 'c': 'create', 'd': 'delete'}
    return ''.join(m for m in modes if access[names[m]])


def database_table(users):
    """What the database grants each staff group, in the shape of
    tests/access_table.py"""
    from trytond.model import ModelStorage
    pool = Pool()
    IrModel = pool.get('ir.model')
    ModelAccess = pool.get('ir.model.access')
    FieldAccess = pool.get('ir.model.field.access')
    RuleGroup = pool.get('ir.rule.group')
    Button = pool.get('ir.model.button')
    ModelData = pool.get('ir.model.data')
    groups = {d.db_id: d.fs_id[len('group_'):] for d in ModelData.search([
                ('model', '=', 'res.group'), ('module', '=', 'sakai_programme')])}
    models = sorted({m.name for m in IrModel.search(
                    [('module', 'in', OUR_MODULES)])
            if issubclass(pool.get(m.name), ModelStorage)}
        | set(THEIR_MODELS))
    table = {'models': {}, 'rules': [], 'buttons': {}, 'fields': {}}
    field_models = {a.model for a in FieldAccess.search(
            [('model', 'in', models)])}
    for group in GROUPS:
        with as_user(users[group]):
            ModelAccess._get_access_cache.clear()
            FieldAccess._get_access_cache.clear()
            access = ModelAccess.get_access(models)
            # One model a call: get_access shares one dict between models
            faccess = {m: FieldAccess.get_access([m])[m]
                for m in sorted(field_models)}
        for model in models:
            table['models'].setdefault(model, []).append(
                _perms(access[model]))
        for model, fields_ in faccess.items():
            for field, a in fields_.items():
                table['fields'].setdefault((model, field), []).append(
                    _perms(a, 'rw'))
    for rule_group in RuleGroup.search([('model', 'in', models)]):
        if rule_group.global_p:
            who = ['global']
        elif rule_group.default_p:
            who = ['default']
        else:
            who = sorted(groups.get(g.id, g.name) for g in rule_group.groups)
        modes = ''.join(m for m, p in zip('rwcd', ['read', 'write', 'create',
                        'delete']) if getattr(rule_group, 'perm_' + p))
        domain = ' OR '.join(sorted(r.domain for r in rule_group.rules))
        # Group ids (PYSON Id) differ between databases: name them
        domain = re.sub(r'"k": (\d+)',
            lambda m: '"k": "%s"' % groups.get(int(m.group(1)), m.group(1)),
            domain)
        table['rules'].append(
            (rule_group.model, rule_group.name, who, modes, domain))
    table['rules'].sort()
    for button in Button.search([('model', 'in', models)]):
        table['buttons'][button.model, button.name] = sorted(
            groups.get(g.id, g.name) for g in button.groups)
    return table


class AccessTableTestCase(DatabaseTestCase):
    "The database grants what tests/access_table.py says, and no more"
    module = ALL_MODULES

    @with_transaction()
    def test_table(self):
        "Every model of our modules is in the table, with the same rights"
        from tests import access_table
        table = database_table(staff_users(GROUPS))
        self.assertEqual(access_table.GROUPS, GROUPS)
        missing = set(table['models']) - set(access_table.MODELS)
        self.assertFalse(missing, "models missing from the access table")
        for model, rights in sorted(table['models'].items()):
            with self.subTest(model=model):
                self.assertEqual(
                    dict(zip(GROUPS, rights)),
                    dict(zip(GROUPS, access_table.MODELS[model])))
        self.assertEqual(
            sorted(map(tuple, table['rules'])),
            sorted((m, n, list(g), mo, d)
                for m, n, g, mo, d in access_table.RULES))
        self.assertEqual(table['buttons'], {
                k: sorted(v) for k, v in access_table.BUTTONS.items()})
        self.assertEqual(table['fields'], {
                k: list(v) for k, v in access_table.FIELDS.items()})

    def test_docs(self):
        "docs/access.md is rendered from the table"
        import os
        from tests import access_table
        path = os.path.join(os.path.dirname(os.path.dirname(
                    os.path.abspath(__file__))), 'docs', 'access.md')
        with open(path, encoding='utf-8') as fp:
            self.assertEqual(fp.read(), access_table.render())


class PathsTestCase(StaffTestCase):
    "on_change, related searches and exports give only what read gives"

    def setup_data(self):
        import datetime as dt
        pool = Pool()
        Slot = pool.get('counseling.slot')
        Booking = pool.get('counseling.booking')
        Record = pool.get('counseling.record')
        Referral = pool.get('counseling.referral')
        ModelData = pool.get('ir.model.data')
        super().setup_data(dt.date(2026, 4, 1))
        start = dt.datetime(2027, 2, 1, 1)
        slot, = Slot.create([{'counselor': self.users['counselor'],
                    'start': start, 'end': start + dt.timedelta(hours=1)}])
        self.booking, = Booking.create([{'slot': slot.id,
                    'client': self.client.id}])
        record = Record.from_booking(self.booking)
        record.sensitive = True
        record.save()
        Referral.create([{'client': self.client.id,
                    'agency': ModelData.get_id(
                        'sakai_counseling', 'agency_dv'),
                    'counselor': self.users['counselor'],
                    'reason': "夫からの暴力"}])

    @with_transaction()
    def test_on_change(self):
        "on_change names the booked person only to who may read records"
        Record = Pool().get('counseling.record')
        self.setup_data()
        with self.as_user('counselor'):
            changes = rpc(Record, 'on_change',
                {'booking': self.booking.id}, ['booking'])
            self.assertEqual(changes['client.']['rec_name'], "堺 花子")
        for group in ['manager', 'sysadmin', 'auditor']:
            with self.subTest(group=group), self.as_user(group):
                for method, args in [
                        ('on_change', [['booking']]),
                        ('on_change_booking', []),
                        ('on_change_with', [['person']]),
                        ]:
                    with self.assertRaises(AccessError) as cm:
                        rpc(Record, method, {'booking': self.booking.id},
                            *args)
                    self.assertNotIn("堺", cm.exception.message)

    @with_transaction()
    def test_related_search_and_export(self):
        "DV referrals and sensitive records do not show through relations"
        pool = Pool()
        Party = pool.get('party.party')
        Booking = pool.get('counseling.booking')
        self.setup_data()
        with self.as_user('counselor'):
            self.assertEqual(Party.search(
                    [('referrals.agency.kind', '=', 'dv')]), [self.client])
            self.assertTrue(Booking.search([('records.sensitive', '=', True)]))
        for group in ['coordinator', 'manager']:
            with self.subTest(group=group), self.as_user(group):
                self.assertEqual(Party.search(
                        [('referrals.agency.kind', '=', 'dv')]), [])
                self.assertEqual(Party.search_count(
                        [('referrals.agency_kind', '=', 'dv')]), 0)
                with self.assertRaises(AccessError):
                    Party.export_data([Party(self.client.id)],
                        ['name', 'referrals/reason'])
                with self.assertRaises(AccessError):
                    Party.export_data([Party(self.client.id)],
                        ['referrals'])
        with self.as_user('coordinator'):
            self.assertEqual(
                Booking.search([('records.sensitive', '=', True)]), [])
            with self.assertRaises(AccessError):
                Booking.export_data([Booking(self.booking.id)], ['records'])
        self.assertRefused(['sysadmin', 'auditor'],
            lambda: Party.export_data([Party(self.employer.id)],
                ['job_orders']))

    @with_transaction()
    def test_roles(self):
        """Managers read figures and case files but change no settings and
        read no messages; only coordinators change employers"""
        pool = Pool()
        Party = pool.get('party.party')
        Questionnaire = pool.get('questionnaire')
        CannedReply = pool.get('line.inquiry.canned_reply')
        Referral = pool.get('counseling.referral')
        self.setup_data()
        with self.as_user('manager'):
            with self.assertRaises(AccessError):
                Questionnaire.create([{'name': "X"}])
            with self.assertRaises(AccessError):
                CannedReply.create([{'name': "X", 'text': "X"}])
            for model in ['line.inquiry', 'line.inquiry.message',
                    'line.message', 'line.message.recipient']:
                with self.subTest(model=model):
                    with self.assertRaises(AccessError):
                        pool.get(model).search([])
            with self.assertRaises(AccessError):
                Referral.search_read([], fields_names=['reason'])
        self.assertRefused(['counselor', 'sysadmin'],
            lambda: Party.write([Party(self.employer.id)], {'name': "X"}))
        with self.as_user('coordinator'):
            Party.write([Party(self.employer.id)], {'employees': 5})
