# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The follow-up check-in on LINE.

On a milestone day, at the programme's hour, the person is asked
「お仕事はいかがですか？」 with four answers as quick replies
(``fu=<follow-up id>&a=fine|uneasy|talk|leaving``).  「辞めた・辞めそう」
asks once more: left, thinking of leaving, or wants another job
(``a=left|thinking|change``).  The answer goes into the follow-up; any
answer but 順調 lands in the staff inbox with its 24-hour answer-by time.
「退職した」 ends the placement today; 「転職したい」 opens job-change
support.

Every postback is checked again when it arrives: a follow-up of someone
else or an unknown one, an unknown answer, a follow-up done or cancelled
or a placement that has ended answer politely and change nothing; a
repeated tap is acknowledged and changes nothing.
"""
from urllib.parse import parse_qsl, urlencode

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from sakai_line.builders import quick_postback, text_message
from sakai_line.event import postback_id
from sakai_programme.programme import citizen_language

from . import clock
from .follow_up import OPEN_STATES

FOLLOW_UP = 'fu='
FIRST_ANSWERS = [
    ('fine', 'sakai_retention.msg_line_answer_fine'),
    ('uneasy', 'sakai_retention.msg_line_answer_uneasy'),
    ('talk', 'sakai_retention.msg_line_answer_talk'),
    ('leaving', 'sakai_retention.msg_line_answer_leaving'),
    ]
LEAVING_ANSWERS = [
    ('left', 'sakai_retention.msg_line_answer_left'),
    ('thinking', 'sakai_retention.msg_line_answer_thinking'),
    ('change', 'sakai_retention.msg_line_answer_change'),
    ]
ANSWER_KEYS = {k for k, _ in FIRST_ANSWERS + LEAVING_ANSWERS}


def follow_up_postback(follow_up, answer):
    return urlencode({'fu': follow_up.id, 'a': answer})


def check_in_message(follow_up):
    "「お仕事はいかがですか？」 with the four answers"
    return text_message(
        gettext('sakai_retention.msg_line_check_in',
            milestone=follow_up.milestone.name if follow_up.milestone else '',
            employer=follow_up.placement.employer.rec_name
            if follow_up.placement.employer
            else follow_up.placement.employer_name or ''),
        [quick_postback(gettext(m), follow_up_postback(follow_up, k),
                display_text=gettext(m))
            for k, m in FIRST_ANSWERS])


def send_check_in(follow_up):
    "Push the check-in of follow_up through the outbound queue"
    pool = Pool()
    Message = pool.get('line.message')
    FollowUp = pool.get('job.follow_up')
    with Transaction().set_context(language=citizen_language()), \
            without_check_access():
        # Read again in the person's language (the milestone's name)
        follow_up = FollowUp(follow_up.id)
        Message.compose([follow_up.client.line_user],
            [check_in_message(follow_up)],
            description=gettext(
                'sakai_retention.msg_line_check_in_description'))


class Event(metaclass=PoolMeta):
    __name__ = 'line.event'

    @classmethod
    def _postback_routes(cls):
        return super()._postback_routes() + [
            (FOLLOW_UP, '_postback_follow_up')]

    def _postback_follow_up(self, user, value, line_params):
        pool = Pool()
        FollowUp = pool.get('job.follow_up')
        params = dict(parse_qsl(FOLLOW_UP + value))
        answer = params.get('a')
        follow_up = self._own_follow_up(user, postback_id(params.get('fu')))
        if follow_up is None or answer not in ANSWER_KEYS:
            return [text_message(
                    gettext('sakai_retention.msg_line_follow_up_unknown'))]
        placement = follow_up.placement
        if placement.end_date:
            return [text_message(gettext(
                        'sakai_retention.msg_line_placement_ended'))]
        if follow_up.state not in OPEN_STATES:
            return [text_message(gettext(
                        'sakai_retention.msg_line_follow_up_closed'))]
        second = answer in {k for k, _ in LEAVING_ANSWERS}
        if follow_up.answer and not (
                second and follow_up.answer == 'leaving'):
            # A repeated or late tap: the first answer stands
            return [text_message(gettext(
                        'sakai_retention.msg_line_answer_already'))]
        if second and follow_up.answer != 'leaving':
            return [text_message(
                    gettext('sakai_retention.msg_line_follow_up_unknown'))]
        if answer == 'fine':
            FollowUp.take_answer(follow_up, 'fine')
            return [text_message(
                    gettext('sakai_retention.msg_line_thanks_fine'))]
        if answer == 'leaving':
            FollowUp.take_answer(follow_up, 'leaving')
            return [text_message(
                    gettext('sakai_retention.msg_line_leaving_ask'),
                    [quick_postback(gettext(m),
                            follow_up_postback(follow_up, k),
                            display_text=gettext(m))
                        for k, m in LEAVING_ANSWERS])]
        return self._follow_up_to_staff(user, follow_up, answer)

    def _follow_up_to_staff(self, user, follow_up, answer):
        """Anything but 順調 goes to the staff inbox, with the 24-hour
        answer-by time; 退職した ends the placement, 転職したい opens job-change
        support"""
        pool = Pool()
        FollowUp = pool.get('job.follow_up')
        Inquiry = pool.get('line.inquiry')
        Placement = pool.get('job.placement')
        JobChange = pool.get('job.change')
        labels = dict(FIRST_ANSWERS + LEAVING_ANSWERS)
        placement = follow_up.placement
        milestone = follow_up.milestone.name if follow_up.milestone else ''
        text = gettext('sakai_retention.msg_inbox_check_in_answer',
            milestone=milestone, answer=gettext(labels[answer]),
            placement=placement.rec_name)
        messages = Inquiry.receive(user, text, 'follow_up', self)
        inquiry = Inquiry.current(user)
        FollowUp.take_answer(follow_up, answer, inquiry)
        if answer == 'left':
            Placement.end_placement(placement, clock.today(), 'resigned')
        elif answer == 'change':
            JobChange.open_for(placement, 'line',
                gettext(labels[answer]))
        thanks = text_message(gettext(
                'sakai_retention.msg_line_thanks_%s' % answer))
        return [thanks] + messages[:4]

    def _own_follow_up(self, user, follow_up_id):
        "The person's follow-up of the id, or None"
        FollowUp = Pool().get('job.follow_up')
        client = user.client()
        if not client or not follow_up_id:
            return None
        follow_ups = FollowUp.search([
                ('id', '=', follow_up_id),
                ('client', '=', client.id),
                ])
        return follow_ups[0] if follow_ups else None


class Inquiry(metaclass=PoolMeta):
    __name__ = 'line.inquiry'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.reason.selection.append(('follow_up', "Follow-up Check-in"))
