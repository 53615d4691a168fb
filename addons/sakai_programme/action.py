# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Tabs of a window for some groups only.

Staff of different groups open the same menu for different work: a
counselor looks at their own clients first, a coordinator at those still
without a counselor, a manager at all.  A tab (``ir.action.act_window.domain``)
with groups is shown only to the users of those groups, the way a menu
entry is; a tab without groups is shown to everyone.
"""
from trytond.model import ModelSQL, fields
from trytond.pool import Pool, PoolMeta


class ActionWindow(metaclass=PoolMeta):
    __name__ = 'ir.action.act_window'

    def get_domains(self, name):
        # The client caches actions per set of groups (ir.action.keyword)
        User = Pool().get('res.user')
        groups = set(User.get_groups())
        return [(domain.name, domain.domain or '[]', domain.count)
            for domain in self.act_window_domains
            if domain.shown_to(groups)]


class ActionWindowDomain(metaclass=PoolMeta):
    __name__ = 'ir.action.act_window.domain'

    groups = fields.Many2Many('ir.action.act_window.domain-res.group',
        'domain', 'group', "Groups",
        help="The tab is shown to the users of these groups only; "
        "leave empty to show it to everyone.")

    def shown_to(self, groups):
        "Whether a user of groups (ids) sees the tab"
        return not self.groups or bool(groups & {g.id for g in self.groups})


class ActionWindowDomainGroup(ModelSQL):
    __name__ = 'ir.action.act_window.domain-res.group'
    __string__ = "Tab - Group"

    domain = fields.Many2One('ir.action.act_window.domain', "Tab",
        required=True, ondelete='CASCADE')
    group = fields.Many2One('res.group', "Group", required=True,
        ondelete='CASCADE')
