# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
from trytond.tests.test_tryton import ModuleTestCase


class SakaiProgrammeTestCase(ModuleTestCase):
    "Test the module alone, with its dependencies only"
    module = 'sakai_programme'


del ModuleTestCase
