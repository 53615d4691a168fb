# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""JSON-RPC to a running trytond, as a script with a staff login calls it,
and the journal of every call the suite made.

A call never raises: it returns an ``Outcome`` that says whether the
server answered with a result, refused (a Tryton user error, or HTTP
401/403), or failed otherwise (a server error: neither an answer nor a
clear refusal).  A warning the server asks to confirm is confirmed, as an
attacker would, and the call made again.
"""
import base64
import json
import re
import threading
import time

import requests

JAPANESE = re.compile(r'[\u3040-\u30ff\u4e00-\u9fff]')


class Outcome:
    "What the server answered to one call"

    def __init__(self, result=None, error=None, status=200):
        self.result = result
        self.error = error
        self.status = status

    @property
    def ok(self):
        return self.error is None and self.status == 200

    @property
    def refused(self):
        "A clear refusal: a Tryton user error or HTTP 401/403"
        if self.status in {401, 403}:
            return True
        return (isinstance(self.error, (list, tuple)) and len(self.error) == 2
            and self.error[0] in {'UserError', 'UserWarning'})

    @property
    def crashed(self):
        return not self.ok and not self.refused

    @property
    def message(self):
        "The refusal's message as the user reads it"
        if self.status != 200:
            return f'HTTP {self.status}'
        if self.refused and self.error:
            kind, args = self.error
            if kind == 'UserWarning':
                return args[1]
            return args[0]
        if self.error:
            return str(self.error[0])[:300]
        return f'HTTP {self.status}'

    def text(self):
        "The whole answer as text, to look for what it must not hold"
        return json.dumps([self.result, self.error], ensure_ascii=False,
            default=str)

    def __repr__(self):
        if self.ok:
            return f'<ok {self.text()[:120]}>'
        if self.refused:
            return f'<refused {self.message[:120]}>'
        return f'<error {self.status} {self.message[:200]}>'


class Call:
    "One call in the journal"
    __slots__ = ('family', 'login', 'uid', 'method', 'params', 'outcome',
        'started', 'case')

    def __init__(self, family, login, uid, method, params, outcome, started,
            case):
        self.family = family
        self.login = login
        self.uid = uid
        self.method = method
        self.params = params
        self.outcome = outcome
        self.started = started
        self.case = case

    @property
    def model(self):
        "model.party.party.read → party.party"
        kind, _, rest = self.method.partition('.')
        if kind != 'model':
            return None
        return rest.rpartition('.')[0]

    @property
    def name(self):
        return self.method.rpartition('.')[2]


class Journal(list):
    "Every call the suite made (thread-safe appends)"

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()

    def add(self, call):
        with self.lock:
            self.append(call)


def _encode(value):
    "JSON for the values Tryton's JSON-RPC knows (dates as __class__)"
    import datetime as dt
    if isinstance(value, dt.datetime):
        return {'__class__': 'datetime', 'year': value.year,
            'month': value.month, 'day': value.day, 'hour': value.hour,
            'minute': value.minute, 'second': value.second,
            'microsecond': value.microsecond}
    if isinstance(value, dt.date):
        return {'__class__': 'date', 'year': value.year,
            'month': value.month, 'day': value.day}
    if isinstance(value, dt.time):
        return {'__class__': 'time', 'hour': value.hour,
            'minute': value.minute, 'second': value.second,
            'microsecond': value.microsecond}
    raise TypeError(repr(value))


class Client:
    "One logged-in session of one staff member"

    def __init__(self, url, database, login, password, journal,
            language='ja'):
        self.url = url
        self.database = database
        self.login = login
        self.journal = journal
        self.http = requests.Session()
        self.family = None
        self.uid = None
        outcome = self._post(f'/{database}/rpc/', 'common.db.login',
            [login, {'password': password}, language])
        if not outcome.ok:
            raise RuntimeError(f'{login} cannot log in: {outcome!r}')
        self.uid, session = outcome.result[:2]
        token = base64.b64encode(
            f'{login}:{self.uid}:{session}'.encode()).decode()
        self.http.headers['Authorization'] = f'Session {token}'
        # The context every client sends (language, timezone…)
        self.context = self._post(f'/{database}/rpc/',
            'model.res.user.get_preferences', [True, {}]).result or {}

    def _post(self, path, method, params):
        body = json.dumps({'id': 1, 'method': method, 'params': params},
            default=_encode)
        for attempt in range(3):
            try:
                response = self.http.post(self.url + path, data=body,
                    headers={'Content-Type': 'application/json'},
                    timeout=120)
                break
            except requests.ConnectionError:
                if attempt == 2:
                    raise
                time.sleep(0.2)
        if response.status_code != 200:
            return Outcome(status=response.status_code,
                error=[f'HTTP {response.status_code}', response.text[:300]])
        data = response.json()
        if data.get('error') is not None:
            return Outcome(error=data['error'])
        return Outcome(result=data.get('result'))

    def __call__(self, method, *params, context=None, case=None):
        """Call method with params and the session's context; journal it
        and return its Outcome"""
        ctx = dict(self.context, **(context or {}))
        started = time.time()
        outcome = self._post(f'/{self.database}/rpc/', method,
            list(params) + [ctx])
        if (not outcome.ok and outcome.error
                and outcome.error[0] == 'UserWarning'):
            # Confirm the warning, as the client's "Yes" does, and again
            name = outcome.error[1][0]
            self._post(f'/{self.database}/rpc/',
                'model.res.user.warning.create',
                [[{'user': self.uid, 'name': name, 'always': False}], ctx])
            outcome = self._post(f'/{self.database}/rpc/', method,
                list(params) + [ctx])
        self.journal.add(Call(self.family, self.login, self.uid, method,
                params, outcome, started, case))
        return outcome

    def wizard(self, name, data_for_state, states, context=None, case=None):
        """Run wizard name as the web client does: create, execute each
        state of states with the data data_for_state(view) gives, delete.
        Return the outcome of the last execute (or the first refused)."""
        outcome = self(f'wizard.{name}.create', context=context, case=case)
        if not outcome.ok:
            return outcome
        session, start, _ = outcome.result
        try:
            view = None
            outcome = self(f'wizard.{name}.execute', session, {}, start,
                context=context, case=case)
            if not outcome.ok:
                return outcome
            view = outcome.result.get('view')
            for state in states:
                outcome = self(f'wizard.{name}.execute', session,
                    data_for_state(view), state, context=context, case=case)
                if not outcome.ok:
                    return outcome
                view = outcome.result.get('view')
            return outcome
        finally:
            self(f'wizard.{name}.delete', session, context=context,
                case=case)


def anonymous(url, path, method, params):
    "A call without login"
    response = requests.post(url + path, data=json.dumps({'id': 1,
                'method': method, 'params': params}),
        headers={'Content-Type': 'application/json'}, timeout=30)
    if response.status_code != 200:
        return Outcome(status=response.status_code,
            error=[f'HTTP {response.status_code}', response.text[:300]])
    data = response.json()
    if data.get('error') is not None:
        return Outcome(error=data['error'])
    return Outcome(result=data.get('result'))
