# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The consent ledger: what each client agreed to, when and how.

Each purpose (statistics, sharing the profile with an employer for a job
introduction, feedback to the employer after placement, information to a
partner agency) is given or withdrawn by a new line of the ledger; lines
are never changed or deleted, a mistake is put right by a new line.  The
current consent of a purpose is its latest line.  Nothing is passed on to
a third party without a current consent: features that share call
``Party.check_consent`` first.
"""
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from sakai_programme.programme import utcnow

from .exceptions import ConsentError

CHANNELS = [
    ('line', "LINE"),
    ('paper', "Paper Form"),
    ('in_person', "In Person"),
    ('phone', "Phone"),
    ]


class Purpose(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'party.consent.purpose'
    __string__ = "Consent Purpose"

    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True, translate=True)
    description = fields.Text("Description", translate=True,
        help="What the person agrees to, as it is explained to them.")
    third_party = fields.Boolean("Third Party",
        help="Information leaves the service (an employer, an agency).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'sakai_counseling.msg_consent_purpose_code_unique'),
            ]

    @classmethod
    def get(cls, code):
        purposes = cls.search([('code', '=', code)], limit=1)
        return purposes[0] if purposes else None


class Consent(ModelSQL, ModelView):
    __name__ = 'party.consent'
    __string__ = "Consent"

    party = fields.Many2One('party.party', "Client", required=True,
        ondelete='CASCADE', domain=[('is_client', '=', True)],
        states={'readonly': Eval('id', -1) >= 0})
    purpose = fields.Many2One('party.consent.purpose', "Purpose",
        required=True, ondelete='RESTRICT',
        states={'readonly': Eval('id', -1) >= 0})
    action = fields.Selection([
            ('given', "Given"),
            ('withdrawn', "Withdrawn"),
            ], "Action", required=True,
        states={'readonly': Eval('id', -1) >= 0})
    at = fields.DateTime("At", required=True,
        states={'readonly': Eval('id', -1) >= 0})
    channel = fields.Selection(CHANNELS, "Channel", required=True,
        states={'readonly': Eval('id', -1) >= 0},
        help="How the person said it.")
    recorded_by = fields.Many2One('res.user', "Recorded By", readonly=True)
    note = fields.Char("Note", states={'readonly': Eval('id', -1) >= 0})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('at', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_action(cls):
        return 'given'

    @classmethod
    def default_at(cls):
        return utcnow().replace(microsecond=0)

    @classmethod
    def default_channel(cls):
        return 'in_person'

    @classmethod
    def default_recorded_by(cls):
        return Transaction().user

    @classmethod
    def create(cls, vlist):
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            values['recorded_by'] = Transaction().user
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        # The ledger is kept as it was written: a new line puts a mistake
        # right.  Only the client's own erasure (anonymisation) may rewrite.
        if not Transaction().context.get('consent_erasure'):
            raise ConsentError(gettext('sakai_counseling.msg_consent_ledger'))
        super().write(*args)

    @classmethod
    def delete(cls, consents):
        if consents and not Transaction().context.get('consent_erasure'):
            raise ConsentError(gettext('sakai_counseling.msg_consent_ledger'))
        super().delete(consents)

    @classmethod
    def copy(cls, consents, default=None):
        return []

    @classmethod
    def current(cls, party, purpose):
        "The latest line of the party for purpose, or None"
        lines = cls.search([
                ('party', '=', party.id),
                ('purpose', '=', purpose.id),
                ], order=[('at', 'DESC'), ('id', 'DESC')], limit=1)
        return lines[0] if lines else None


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    consents = fields.One2Many('party.consent', 'party', "Consent Ledger",
        states={'invisible': ~Eval('is_client', False)})
    consent_statistics = fields.Function(fields.Boolean(
            "Consent to Statistics",
            states={'invisible': ~Eval('is_client', False)},
            help="The client currently agrees that anonymised answers are "
            "counted in statistics (see the consent ledger)."),
        'get_consent', searcher='search_consent')
    consent_employer_sharing = fields.Function(fields.Boolean(
            "Consent to Sharing with Employers",
            states={'invisible': ~Eval('is_client', False)},
            help="The client currently agrees that their profile is shown to "
            "an employer for a job introduction (see the consent ledger)."),
        'get_consent', searcher='search_consent')
    consent_employer_feedback = fields.Function(fields.Boolean(
            "Consent to Employer Feedback",
            states={'invisible': ~Eval('is_client', False)},
            help="The client currently agrees that the employer is told how "
            "they are doing after placement (see the consent ledger)."),
        'get_consent', searcher='search_consent')
    consent_agency_sharing = fields.Function(fields.Boolean(
            "Consent to Information for Agencies",
            states={'invisible': ~Eval('is_client', False)},
            help="The client currently agrees that a counselor tells a "
            "partner agency about them when referring them (see the consent "
            "ledger)."),
        'get_consent', searcher='search_consent')

    @classmethod
    def get_consent(cls, parties, names):
        "The current consent of each purpose, from the consent ledger"
        pool = Pool()
        Consent = pool.get('party.consent')
        Purpose = pool.get('party.consent.purpose')
        result = {n: {p.id: False for p in parties} for n in names}
        for name in names:
            purpose = Purpose.get(name[len('consent_'):])
            if not purpose:
                continue
            for party in parties:
                line = Consent.current(party, purpose)
                result[name][party.id] = bool(line and line.action == 'given')
        return result

    @classmethod
    def search_consent(cls, name, clause):
        "Clients whose latest ledger line for the purpose is (not) given"
        _, operator, value = clause
        given = [p.id for p in cls.search([('is_client', '=', True)])
            if cls.get_consent([p], [name])[name][p.id]]
        if (operator == '=') == bool(value):
            return [('id', 'in', given)]
        return [('id', 'not in', given)]

    def consents_to(self, code):
        "Whether the client's current consent for the purpose is given"
        return self.get_consent([self], ['consent_' + code])[
            'consent_' + code][self.id]

    def check_consent(self, code):
        """Refuse to go on unless the client currently consents to the
        purpose of code (call before sharing with a third party)"""
        Purpose = Pool().get('party.consent.purpose')
        if not self.consents_to(code):
            purpose = Purpose.get(code)
            raise ConsentError(gettext(
                    'sakai_counseling.msg_consent_missing',
                    client=self.rec_name,
                    purpose=purpose.name if purpose else code))
