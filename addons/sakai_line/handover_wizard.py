# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The system administrator's wizard that writes the handover bundle
(``handover.write_bundle``) and offers it for download; the export is one
download entry of the audit log.  The bundle is a password zip with the
passphrase the administrator types twice (only demo mode accepts none)."""
import datetime as dt
import io

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import archive, audit
from .configuration import TOKYO, demo_mode
from .handover import write_bundle


class HandoverExportStart(ModelView):
    "Export Handover Data"
    __name__ = 'sakai.handover.export.start'

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


class HandoverExportResult(ModelView):
    "Export Handover Data"
    __name__ = 'sakai.handover.export.result'

    file = fields.Binary("File", readonly=True, filename='filename')
    filename = fields.Char("File Name", readonly=True)
    counts = fields.Text("Records per Model", readonly=True)


class HandoverExport(Wizard):
    "Export Handover Data"
    __name__ = 'sakai.handover.export'

    start = StateView('sakai.handover.export.start',
        'sakai_line.handover_export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export', 'tryton-ok', default=True,
                states={'readonly': ~Eval('confirm', False)}),
            ])
    export = StateTransition()
    result = StateView('sakai.handover.export.result',
        'sakai_line.handover_export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        pool = Pool()
        Handover = pool.get('sakai.handover')
        return {
            'contents': '\n'.join(
                '%s (%s)' % (options.get('meaning') or name, name)
                for name, _, options in Handover.declared()),
            }

    def transition_export(self):
        pool = Pool()
        Handover = pool.get('sakai.handover')
        if not self.start.confirm:
            raise UserError(gettext('sakai_line.msg_handover_export_confirm'))
        passphrase = self.check_passphrase()
        # the wizard's session is stored: keep no passphrase in it
        self.start.passphrase = self.start.passphrase_again = None
        database = Transaction().database.name
        content = io.BytesIO()
        counts = write_bundle(content, database, passphrase)
        meanings = {name: options.get('meaning', '')
            for name, options in Handover.handover_models()}
        total = sum(counts.values())
        lines = ['%s (%s): %d' % (meanings.get(name) or name, name, count)
            for name, count in counts.items()]
        lines.append('')
        lines.append(gettext('sakai_line.msg_handover_export_total',
                count=total))
        self.result.file = content.getvalue()
        self.result.filename = 'handover-%s-%s.zip' % (
            database, dt.datetime.now(TOKYO).strftime('%Y%m%d'))
        self.result.counts = '\n'.join(lines)
        # One download entry: the models that went out with their counts
        entry = audit.record('download', 'sakai.handover', [],
            ['%s=%d' % item for item in counts.items()],
            'sakai.handover.export')
        entry['record_count'] = total
        return 'result'

    def check_passphrase(self):
        "The passphrase typed twice; None in demo mode when left empty"
        passphrase = self.start.passphrase or None
        if passphrase != (self.start.passphrase_again or None):
            raise UserError(gettext(
                    'sakai_line.msg_archive_passphrase_mismatch'))
        if not passphrase and not demo_mode():
            raise UserError(gettext(
                    'sakai_line.msg_archive_passphrase_required',
                    length=archive.MIN_LENGTH))
        if passphrase and len(passphrase) < archive.MIN_LENGTH:
            raise UserError(gettext('sakai_line.msg_archive_passphrase_short',
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
