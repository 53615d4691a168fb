# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"The inbox: a few questions from people on LINE waiting for staff"
import datetime as dt

# Inbox: (what a citizen wrote, hours ago, staff answer or None)
INQUIRIES = [
    ("子どもが熱を出しやすいので、急に休んでも大丈夫な仕事はありますか", 21, None),
    ("面接に着ていく服がありません。どうしたらいいですか", 5, None),
    ("先日の相談で紹介された求人に応募したいです", 30,
        "ご連絡ありがとうございます。担当の相談員から応募の手続きをご案内します。"),
    ("担当の人と話したい", 1, None),
    ]


def load(context):
    pool = context.pool
    Inquiry = pool.get('line.inquiry')
    Message = pool.get('line.inquiry.message')
    LineUser = pool.get('line.user')
    if Inquiry.search([], limit=1):
        return
    followers = LineUser.search(
        [('state', '=', 'following')], order=[('id', 'ASC')])
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for user, (text, hours_ago, answer) in zip(followers, INQUIRIES):
        Inquiry.receive(user, text)
        inquiry, = Inquiry.search([('line_user', '=', user.id)])
        received = now - dt.timedelta(hours=hours_ago)
        Inquiry.write([inquiry], {
                'received_at': received,
                'due_at': received + dt.timedelta(hours=24)})
        Message.write(list(inquiry.messages), {'at': received})
        if answer:
            Message.create([{'inquiry': inquiry.id,
                        'direction': 'out', 'text': answer,
                        'at': received + dt.timedelta(hours=2)}])
            Inquiry.write([inquiry], {
                    'state': 'waiting',
                    'answered_at': received + dt.timedelta(hours=2),
                    'answered_in_time': True})
        context.count('inquiry')


def summary(context):
    return [('inquiries', context.pool.get('line.inquiry').search_count([]))]
