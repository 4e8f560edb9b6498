"""The HubSpot adapter: the only code that knows HubSpot's wire format.

Everything above this package sees typed records, typed errors and plain dataclasses;
SDK models, status codes and header names stop here.
"""
