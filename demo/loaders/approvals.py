# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Separation of duties: the administrator asked for the handover export
and the auditor approved it (就業支援 › 承認依頼)"""
from trytond.transaction import Transaction


def load(context):
    Approval = context.pool.get('sakai.approval')
    if Approval.search([], limit=1):
        return
    with Transaction().set_user(context.staff['sysadmin1'].id):
        approval, = Approval.create([{'kind': 'handover',
                    'reason': "契約終了に伴う次の事業者への引継ぎ（デモ）"}])
    with Transaction().set_user(context.staff['auditor1'].id):
        Approval.approve([approval])
    context.count('approval')
