"""Loading LINE's OpenAPI documents and validating against them.

Validation is done by ``openapi-core`` (path and method lookup, path, query
and header parameters, the Bearer security requirement, request bodies by
media type) on top of ``openapi-schema-validator`` / ``jsonschema``.

LINE's documents describe polymorphism in the "inheritance" style: a base
schema (``Message``, ``Action``, ``FlexComponent``, ``Event``...) carries a
``discriminator`` with a ``mapping`` and no ``oneOf``; each subtype is
``allOf: [$ref: Base, {...its own properties}]``.  openapi-schema-validator
only dispatches on a discriminator that sits next to ``oneOf``/``anyOf``/
``allOf``, so on the documents as published a text message without
``text`` or a message of an unknown type validates.  :func:`normalise`
rewrites each such family into the form the validator implements:

* ``Base`` keeps its own properties and gains ``oneOf`` over the mapped
  subtypes next to the discriminator (so the validator dispatches on the
  discriminator value), an ``enum`` of the mapped values on the
  discriminator property, and that property as required;
* a copy of the original base, ``<Base>__Common``, without the
  discriminator, replaces ``Base`` inside every ``allOf`` (a subtype
  extends the base's common part instead of recursing into the dispatch).

The published files are never modified; the rewrite happens in memory.
"""
import collections
import copy
import functools
import os
import re
import threading

import yaml
from werkzeug.datastructures import Headers, ImmutableMultiDict

from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import (
    OperationNotFound, PathError, PathNotFound, ServerNotFound)
from openapi_core.templating.paths.finders import APICallPathFinder

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC_DIR = os.path.join(HERE, 'openapi')
SCHEMAS = '#/components/schemas/'
COMMON_SUFFIX = '__Common'

API_HOST = 'https://api.line.me'
DATA_HOST = 'https://api-data.line.me'
WEBHOOK_HOST = 'https://example.com'  # the dummy server in webhook.yml


def _load_yaml(name):
    loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
    with open(os.path.join(SPEC_DIR, name), encoding='utf-8') as fp:
        return yaml.load(fp, Loader=loader)


ABSOLUTE_URI = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*:[^\s]+')


def is_uri(value):
    """``format: uri`` (jsonschema checks it only with an optional extra
    package): an absolute URI (``scheme:rest``) without white space."""
    if not isinstance(value, str):
        return True
    return bool(ABSOLUTE_URI.fullmatch(value))


def normalise(document):
    """Return a copy of *document* whose inheritance-style discriminators
    are enforced by the validator (see the module docstring)."""
    document = copy.deepcopy(document)
    schemas = document.get('components', {}).get('schemas', {})
    bases = [
        name for name, schema in schemas.items()
        if isinstance(schema.get('discriminator'), dict)
        and schema['discriminator'].get('mapping')
        and not any(k in schema for k in ('oneOf', 'anyOf', 'allOf'))]
    common = {name: name + COMMON_SUFFIX for name in bases}
    for name in common.values():
        if name in schemas:
            raise ValueError(f'schema name clash: {name}')

    def rewrite(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == 'allOf' and isinstance(value, list):
                    for item in value:
                        ref = item.get('$ref', '') if isinstance(
                            item, dict) else ''
                        if (ref.startswith(SCHEMAS)
                                and ref[len(SCHEMAS):] in common):
                            item['$ref'] = (
                                SCHEMAS + common[ref[len(SCHEMAS):]])
                rewrite(value)
        elif isinstance(node, list):
            for value in node:
                rewrite(value)

    rewrite(document)
    for name in bases:
        schema = schemas[name]
        discriminator = schema['discriminator']
        prop = discriminator['propertyName']
        mapping = discriminator['mapping']
        schemas[common[name]] = {
            k: v for k, v in schema.items() if k != 'discriminator'}
        properties = dict(schema.get('properties') or {})
        properties[prop] = dict(
            properties.get(prop) or {'type': 'string'}, enum=list(mapping))
        schema['properties'] = properties
        required = list(schema.get('required') or [])
        if prop not in required:
            required.append(prop)
        schema['required'] = required
        schema['oneOf'] = [
            {'$ref': ref} for ref in dict.fromkeys(mapping.values())]
    return document


Operation = collections.namedtuple(
    'Operation', 'host method pattern operation_id variables spec')


class Spec:
    "One OpenAPI document, normalised, with its openapi-core application."

    def __init__(self, filename):
        self.filename = filename
        self.raw = _load_yaml(filename)
        self.document = normalise(self.raw)
        # check_spec runs openapi-spec-validator on the normalised document
        self.app = OpenAPI.from_dict(self.document, config=Config(
            extra_format_validators={'uri': is_uri}))
        self.finder = APICallPathFinder(self.app.spec)
        # openapi-core objects are not documented as thread-safe
        self.lock = threading.RLock()

    @property
    def schemas(self):
        return self.document['components']['schemas']

    def find(self, method, path, hosts=(API_HOST, DATA_HOST)):
        """The :class:`Operation` for *method* and *path*; raises
        PathNotFound or OperationNotFound (openapi-core's exceptions)."""
        error = None
        for host in hosts:
            try:
                with self.lock:
                    found = self.finder.find(method.lower(), host + path)
            except ServerNotFound as exc:
                error = exc
                continue
            pattern = found.path.parts[-1]
            operation = self.document['paths'][pattern][method.lower()]
            return Operation(
                host, method.upper(), pattern, operation.get('operationId'),
                dict(found.path_result.variables or {}), operation)
        raise error or PathNotFound(path)

    def request_errors(self, request):
        with self.lock:
            return list(self.app.iter_request_errors(request))

    def response_errors(self, request, response):
        with self.lock:
            return list(self.app.iter_response_errors(request, response))

    def resolve(self, schema):
        while isinstance(schema, dict) and '$ref' in schema:
            ref = schema['$ref']
            if not ref.startswith(SCHEMAS):
                raise ValueError(f'unsupported $ref {ref}')
            schema = self.schemas[ref[len(SCHEMAS):]]
        return schema


@functools.lru_cache(maxsize=None)
def load(filename):
    "The :class:`Spec` for one of the documents in openapi/ (cached)."
    return Spec(filename)


def messaging():
    return load('messaging-api.yml')


def insight():
    return load('insight.yml')


def webhook():
    return load('webhook.yml')


def spec_for_path(path):
    if path.startswith('/v2/bot/insight/'):
        return insight()
    return messaging()


class Request:
    "An openapi-core request built from what the HTTP server received."

    def __init__(self, host_url, method, path, query=None, headers=None,
            body=None, content_type=''):
        self.host_url = host_url
        self.method = method.lower()
        self.path = path
        self.body = body
        self.content_type = (content_type or '').lower()
        if isinstance(query, dict):
            query = list(query.items())
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(query or []),
            header=Headers(list((headers or {}).items())),
            cookie=ImmutableMultiDict(),
            path={})


class Response:
    "An openapi-core response built from what the stand-in answers."

    def __init__(self, status_code, data=b'', content_type='',
            headers=None):
        self.status_code = status_code
        self.data = data
        self.content_type = (content_type or '').lower()
        self.headers = Headers(list((headers or {}).items()))


# -- errors in a LINE-like shape ---------------------------------------------

def _property(path):
    out = ''
    for part in path:
        if isinstance(part, int):
            out += f'[{part}]'
        else:
            out += ('.' if out else '') + str(part)
    return out


def _join(prop, name):
    return f'{prop}.{name}' if prop else name


def _schema_error_details(error, prefix=''):
    """LINE-like details for one jsonschema ValidationError."""
    prop = _property(list(error.absolute_path))
    if prefix:
        prop = prefix + ('.' + prop if prop and not prop.startswith('[')
            else prop)
    validator = error.validator
    value = error.validator_value
    instance = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if validator == 'required':
        if isinstance(instance, dict) and isinstance(value, list):
            missing = [name for name in value if name not in instance]
        else:
            missing = []
        if missing:
            return [{'message': 'must be specified',
                    'property': _join(prop, name)} for name in missing]
        return [{'message': 'must be specified', 'property': prop}]
    if validator == 'oneOf' and 'discriminator' in schema:
        key = schema['discriminator'].get('propertyName', 'type')
        mapping = schema['discriminator'].get('mapping', {})
        actual = instance.get(key) if isinstance(instance, dict) else None
        if actual is None:
            return [{'message': 'must be specified',
                    'property': _join(prop, key)}]
        if actual not in mapping:
            # reported by the enum on the discriminator property already
            return []
        return [{'message': error.message[:300], 'property': prop}]
    messages = {
        'maxItems': lambda: f'size must be at most {value}',
        'minItems': lambda: f'size must be at least {value}',
        'maxLength': lambda: f'length must be at most {value}',
        'minLength': lambda: f'length must be at least {value}',
        'maximum': lambda: f'must be less than or equal to {value}',
        'minimum': lambda: f'must be greater than or equal to {value}',
        'enum': lambda: 'must be one of ' + ', '.join(map(str, value)),
        'type': lambda: f'must be of type {value}',
        'pattern': lambda: f'must match "{value}"',
        'format': lambda: f'must be a valid {value}',
        'additionalProperties': lambda: 'unknown property',
        'uniqueItems': lambda: 'must not contain duplicates',
    }
    if validator in messages:
        message = messages[validator]()
    else:
        message = error.message
        if len(message) > 300:
            message = message[:297] + '...'
    return [{'message': message, 'property': prop}]


def error_details(errors):
    """Turn openapi-core errors into ``(kind, details)``.

    kind is ``'path'`` (no such path), ``'method'`` (no such operation),
    ``'auth'`` (security requirement not met) or ``'invalid'``."""
    from openapi_core.validation.request.exceptions import (
        SecurityValidationError)
    kind = 'invalid'
    details = []
    for error in errors:
        if isinstance(error, PathNotFound):
            kind = 'path'
            details.append({'message': 'Not found'})
            continue
        if isinstance(error, OperationNotFound):
            kind = 'method'
            details.append({'message': 'Method not allowed'})
            continue
        if isinstance(error, PathError):
            kind = 'path'
            details.append({'message': str(error)})
            continue
        if isinstance(error, SecurityValidationError):
            kind = 'auth'
            details.append({'message': 'Authorization header required'})
            continue
        details.extend(_details_of(error))
    seen = set()
    unique = []
    for detail in details:
        key = (detail.get('message'), detail.get('property'))
        if key not in seen:
            seen.add(key)
            unique.append(detail)
    return kind, unique


def _details_of(error):
    "Details for a body or parameter error, following __cause__."
    schema_errors = getattr(error, 'schema_errors', None)
    if schema_errors:
        out = []
        for schema_error in schema_errors:
            out.extend(_schema_error_details(
                schema_error, getattr(error, '_line_prefix', '')))
        return out
    name = getattr(error, 'name', None)
    cause = error.__cause__
    if cause is not None and cause is not error:
        inner = _details_of(cause)
        if name:
            for detail in inner:
                detail['property'] = (
                    name + ('.' + detail['property']
                        if detail.get('property') else ''))
        if inner:
            return inner
    detail = {'message': str(error)[:300]}
    if name:
        detail['property'] = name
    return [detail]
