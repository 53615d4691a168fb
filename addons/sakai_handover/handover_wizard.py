# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The system administrator's wizard that writes the handover bundle
(``handover.write_bundle``) and offers it for download; the export is one
download entry of the audit log.  The bundle is a password zip with the
passphrase the administrator types twice (only demo mode accepts none).

It runs only with a second person's approval (``sakai.approval`` of kind
handover, approved by an auditor, unused and recent), which the export
uses up; ``export_bundle`` is the one way both the wizard and
``tools/handover.py export`` write it."""
import io

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import archive
from sakai_audit import audit
from sakai_programme.programme import demo_mode
from .handover import write_bundle


class HandoverExportStart(ModelView):
    __name__ = 'sakai.handover.export.start'
    __string__ = "Export Handover Data"

    confirm = fields.Boolean(
        "I will keep the file as personal data",
        help="The file holds the personal data of every client: "
        "store it only where access is restricted and erase it "
        "once it has been handed over.")
    contents = fields.Text("Contents", readonly=True,
        help="The kinds of records the file holds, one file each.")
    passphrase = fields.Char("Passphrase",
        help="The zip is encrypted (AES-256) with this passphrase; the next "
        "operator opens it with 7-Zip. At least 12 characters; give it to "
        "them by another way than the file.")
    passphrase_again = fields.Char("Passphrase (Again)")
    approval = fields.Many2One('sakai.approval', "Approval",
        domain=[
            ('kind', '=', 'handover'),
            ('state', '=', 'approved'),
            ],
        help="The request an auditor approved for this export "
        "(Employment Support › Approvals); the export uses it up.")


class HandoverExportResult(ModelView):
    __name__ = 'sakai.handover.export.result'
    __string__ = "Export Handover Data"

    file = fields.Binary("File", readonly=True, filename='filename')
    filename = fields.Char("File Name", readonly=True)
    counts = fields.Text("Records per Model", readonly=True)


class HandoverExport(Wizard):
    __name__ = 'sakai.handover.export'

    start = StateView('sakai.handover.export.start',
        'sakai_handover.handover_export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export', 'tryton-ok', default=True,
                states={'readonly': ~Eval('confirm', False)
                    | ~Eval('approval')}),
            ])
    export = StateTransition()
    result = StateView('sakai.handover.export.result',
        'sakai_handover.handover_export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        pool = Pool()
        Handover = pool.get('sakai.handover')
        Approval = pool.get('sakai.approval')
        approvals = Approval.usable('handover')
        return {
            'contents': '\n'.join(
                '%s (%s)' % (options.get('meaning') or name, name)
                for name, _, options in Handover.declared()),
            'approval': approvals[0].id if approvals else None,
            }

    def transition_export(self):
        pool = Pool()
        Handover = pool.get('sakai.handover')
        if not self.start.confirm:
            raise UserError(gettext('sakai_handover.msg_handover_export_confirm'))
        passphrase = self.check_passphrase()
        # the wizard's session is stored: keep no passphrase in it
        self.start.passphrase = self.start.passphrase_again = None
        database = Transaction().database.name
        content = io.BytesIO()
        approval = self.start.approval
        counts = export_bundle(content, database, passphrase,
            approval.id if approval else None, 'sakai.handover.export')
        meanings = {name: options.get('meaning', '')
            for name, options in Handover.handover_models()}
        total = sum(counts.values())
        lines = ['%s (%s): %d' % (meanings.get(name) or name, name, count)
            for name, count in counts.items()]
        lines.append('')
        lines.append(gettext('sakai_handover.msg_handover_export_total',
                count=total))
        self.result.file = content.getvalue()
        self.result.filename = 'handover-%s-%s.zip' % (
            database, Pool().get('ir.date').today().strftime('%Y%m%d'))
        self.result.counts = '\n'.join(lines)
        return 'result'

    def check_passphrase(self):
        "The passphrase typed twice; None in demo mode when left empty"
        passphrase = self.start.passphrase or None
        if passphrase != (self.start.passphrase_again or None):
            raise UserError(gettext(
                    'sakai_handover.msg_archive_passphrase_mismatch'))
        if not passphrase and not demo_mode():
            raise UserError(gettext(
                    'sakai_handover.msg_archive_passphrase_required',
                    length=archive.MIN_LENGTH))
        if passphrase and len(passphrase) < archive.MIN_LENGTH:
            raise UserError(gettext('sakai_handover.msg_archive_passphrase_short',
                    length=archive.MIN_LENGTH))
        return passphrase

    def default_result(self, fields):
        file_ = self.result.file
        cast = self.result.__class__.file.cast
        self.result.file = None  # No need to keep it in the session
        return {
            'file': cast(file_) if file_ else None,
            'filename': self.result.filename,
            'counts': self.result.counts,
            }


def export_bundle(fileobj, database, passphrase, approval, method,
        demo=False):
    """Write the handover bundle to fileobj with the approval number given
    (used up, refused in Japanese without a good one; demo skips it for
    ``tools/handover.py export --without-approval`` in demo mode).  The
    export is one download entry of the audit log: the models that went
    out with their counts, and the approval used.  Return the counts."""
    Approval = Pool().get('sakai.approval')
    if not (demo and approval is None):
        approval = Approval.use('handover', approval, method).id
    counts = write_bundle(fileobj, database, passphrase)
    suffix = f' sakai.approval,{approval}' if approval else ''
    entry = audit.record('download', 'sakai.handover', [],
        ['%s=%d' % item for item in counts.items()],
        f'{method}{suffix}')
    entry['record_count'] = sum(counts.values())
    return counts
