"""A local stand-in for the LINE Messaging API, validated against LINE's
own OpenAPI documents (see README.md)."""
from .server import Delivery, FakeClock, RecordedRequest, StandIn

__all__ = ['StandIn', 'RecordedRequest', 'Delivery', 'FakeClock']
