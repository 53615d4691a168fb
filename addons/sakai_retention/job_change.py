# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Job-change support (転職支援, Sakai 7(2)④(オ)).

When a person in work wants another job — on LINE (「転職したい」) or in a
follow-up — a job change opens: a new search linked to the placement it
starts from, for the coordinator to listen to the person's situation and
support the search.  The new job is recorded as a placement and linked;
when it starts within a month of leaving the previous job, six-month
retention counts the two as continuous work (placement.py).
"""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import clock
from .exceptions import FollowUpError


class JobChange(Workflow, ModelSQL, ModelView):
    __name__ = 'job.change'
    __string__ = "Job Change"

    client = fields.Many2One('party.party', "Client", required=True,
        ondelete='CASCADE', domain=[('is_client', '=', True)],
        states={'readonly': Eval('id', -1) >= 0})
    previous_placement = fields.Many2One('job.placement',
        "Previous Placement", required=True, ondelete='CASCADE',
        domain=[('client', '=', Eval('client', -1))],
        states={'readonly': Eval('id', -1) >= 0})
    opened_on = fields.Date("Opened On", required=True)
    source = fields.Selection([
            ('line', "LINE Answer"),
            ('staff', "Staff"),
            ], "Source", required=True, readonly=True)
    coordinator = fields.Many2One('res.user', "Coordinator")
    reason = fields.Text("What the Person Said")
    note = fields.Text("Notes")
    new_placement = fields.Many2One('job.placement', "New Placement",
        ondelete='SET NULL',
        domain=[
            ('client', '=', Eval('client', -1)),
            ('id', '!=', Eval('previous_placement', -1)),
            ],
        states={'readonly': Eval('state') != 'open'})
    state = fields.Selection([
            ('open', "Searching"),
            ('placed', "Placed"),
            ('closed', "Closed"),
            ], "State", required=True, readonly=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('opened_on', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('open', 'placed'),
            ('open', 'closed'),
            ('closed', 'open'),
            }
        cls._buttons.update({
                'place': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'closed',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def default_source(cls):
        return 'staff'

    @classmethod
    def default_opened_on(cls):
        return clock.today()

    @classmethod
    def default_coordinator(cls):
        return Transaction().user

    def get_rec_name(self, name):
        return '%s (%s)' % (self.client.rec_name,
            self.previous_placement.rec_name)

    @classmethod
    def open_for(cls, placement, source, reason=None):
        "Open job-change support from placement, unless one is open"
        existing = cls.search([
                ('previous_placement', '=', placement.id),
                ('state', '=', 'open'),
                ], limit=1)
        if existing:
            return existing[0]
        # The person's wish is recorded whoever hears it (a counselor
        # recording a follow-up, the LINE answer)
        with without_check_access():
            change = cls(client=placement.client,
                previous_placement=placement, source=source, reason=reason,
                opened_on=clock.today(), state='open',
                coordinator=placement.coordinator)
            change.save()
        return cls(change.id)

    @classmethod
    def validate_fields(cls, changes, field_names):
        super().validate_fields(changes, field_names)
        for change in changes:
            new = change.new_placement
            if new and new.start_date < change.previous_placement.start_date:
                raise FollowUpError(gettext(
                        'sakai_retention.msg_job_change_before',
                        placement=new.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('placed')
    def place(cls, changes):
        for change in changes:
            if not change.new_placement:
                raise FollowUpError(gettext(
                        'sakai_retention.msg_job_change_no_placement',
                        change=change.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, changes):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, changes):
        pass
