# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The small pages people see when they open a friend-add link or come
back from LINE Login in a browser (routes.py): one template
(report/page.html) telling one message, in the citizens' language."""
from trytond.report import Report
from trytond.transaction import Transaction

from sakai_programme.programme import citizen_language


class Page(Report):
    __name__ = 'line.page'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['language'] = Transaction().language
        return context

    @classmethod
    def html(cls, message, link=None):
        """The page telling message (the id of an ir.message), with a
        button to link if given; rendered within the route's transaction"""
        with Transaction().set_context(language=citizen_language()):
            _, content, _, _ = cls.execute([], {
                    'message': message,
                    'link': link,
                    })
        return content
