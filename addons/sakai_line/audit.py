# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"LINE friends, events and messages in the audit log (see sakai_audit)"
from trytond.pool import PoolMeta


class AuditLog(metaclass=PoolMeta):
    __name__ = 'audit.log'

    @classmethod
    def personal_models(cls):
        return super().personal_models() | {
                'line.user',
                'line.user.history',
                'line.source.visit',
                # outbound messages: a conversation's answers, a stress check's result
                'line.message',
                'line.message.recipient',
                'line.event',
                }

    @classmethod
    def exempt_models(cls):
        models = super().exempt_models()
        models.update({
                'line.configuration': "channel settings; the LINE user is a test account",
                'line.rich_menu': "menu definitions, no person",
                'line.source': "tracked add-friend links; their visits are logged",
                'line.message.batch': "sending batches; recipients are logged",
                'line.rich_menu.link': "calls linking a person's menu on LINE; "
                "the menu chosen is logged on the LINE user",
                })
        return models
