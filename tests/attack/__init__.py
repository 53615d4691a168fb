# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Helpers of the attack suite (tests/test_attack.py).

- ``data``: the demo database plus the records an attacker goes after
  (a DV referral, health notes, a stress check, a suicide message, LINE
  payloads), built in the test process before the server starts;
- ``rpc``: a JSON-RPC client as a script would use it, and the journal of
  every call the suite made;
- ``cases``: the calls generated from ``tests/access_table.py``.
"""
