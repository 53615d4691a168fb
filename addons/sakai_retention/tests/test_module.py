# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
from trytond.tests import test_tryton
from trytond.tests.test_tryton import with_transaction


class SakaiRetentionTestCase(test_tryton.ModuleTestCase):
    "Test Sakai Retention module"
    module = 'sakai_retention'

    @with_transaction(user=0)
    def test_wizards(self):
        "Test wizards are correctly defined (as root)"
        super().test_wizards.__wrapped__(self)
