# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


class Introduction(metaclass=PoolMeta):
    __name__ = 'job.introduction'

    @classmethod
    def _log_stage(cls, introductions, note, previous=None):
        super()._log_stage(introductions, note, previous=previous)
        # How far an introduction went is what the engine learns from
        Pool().get('job.recommendation').follow_introductions(introductions)
