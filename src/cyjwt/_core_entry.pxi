# The module-level functions jwt.decode, jwt.decode_complete, jwt.encode
# and jwt.get_unverified_header as C functions.  PyJWT binds them to its
# global objects (jwt.decode is _jwt_global_obj.decode), so a call pays
# for a Python frame before the core is reached: here it does not.
#
# Each entry is declared with the method's parameters (inspect reads them
# from the method itself, through __wrapped__), takes the one-call path
# when it can, and otherwise calls the method with the same arguments: an
# unknown keyword, a missing argument, too many, or a call the core
# declines is the method's, with its warnings, its texts and its frames
# above a warning.  (Only an argument given twice, by position and by
# name, gets Cython's wording of the TypeError, not CPython's.)
# fast_entry() makes the bound entries; the
# pure twin's fast_entry hands the methods back unchanged.  Included by
# _core_c.pyx.

from functools import update_wrapper as _update_wrapper
from types import MethodType as _MethodType

# The default of a parameter the method requires: the method says it is missing.
cdef object _REQUIRED = object()

cdef object _GENERAL_DECODE = None
cdef object _GENERAL_DECODE_COMPLETE = None
cdef object _GENERAL_ENCODE = None
cdef object _GENERAL_HEADER = None


cdef object _call_missing(general, self, tuple values, dict extra):
    """The method called with the arguments given (one it requires is not):
    *values* are its parameters' in order (self left out), *extra* the
    other keywords."""
    names = general.__code__.co_varnames[1:len(values) + 1]
    given = {name: value for name, value in zip(names, values) if value is not _REQUIRED}
    return general(self, **given, **extra)


def _entry_decode(self, jwt=_REQUIRED, key="", algorithms=None, options=None, verify=None,
                  detached_payload=None, audience=None, subject=None, issuer=None, leeway=0,
                  *args, **kwargs):
    if args:
        return _GENERAL_DECODE(self, jwt, key, algorithms, options, verify, detached_payload,
                               audience, subject, issuer, leeway, *args, **kwargs)
    if jwt is _REQUIRED:
        given = (jwt, key, algorithms, options, verify, detached_payload, audience, subject,
                 issuer, leeway)
        return _call_missing(_GENERAL_DECODE, self, given, kwargs)
    if verify is None and detached_payload is None and not kwargs:
        claims = jwt_decode(self, jwt, key, algorithms, options, audience, issuer, subject,
                            leeway, False)
        if claims is not None:
            return claims
    return _GENERAL_DECODE(self, jwt, key, algorithms, options, verify, detached_payload,
                           audience, subject, issuer, leeway, **kwargs)


def _entry_decode_complete(self, jwt=_REQUIRED, key="", algorithms=None, options=None,
                           verify=None, detached_payload=None, audience=None, issuer=None,
                           subject=None, leeway=0, *args, **kwargs):
    if args:
        return _GENERAL_DECODE_COMPLETE(self, jwt, key, algorithms, options, verify,
                                        detached_payload, audience, issuer, subject, leeway,
                                        *args, **kwargs)
    if jwt is _REQUIRED:
        given = (jwt, key, algorithms, options, verify, detached_payload, audience, issuer,
                 subject, leeway)
        return _call_missing(_GENERAL_DECODE_COMPLETE, self, given, kwargs)
    if verify is None and detached_payload is None and not kwargs:
        decoded = jwt_decode(self, jwt, key, algorithms, options, audience, issuer, subject,
                             leeway, True)
        if decoded is not None:
            return decoded
    return _GENERAL_DECODE_COMPLETE(self, jwt, key, algorithms, options, verify,
                                    detached_payload, audience, issuer, subject, leeway,
                                    **kwargs)


def _entry_encode(self, payload=_REQUIRED, key=_REQUIRED, algorithm=ALGORITHM_UNSET,
                  headers=None, json_encoder=None, sort_headers=True, *args, **kwargs):
    if args or kwargs:
        return _GENERAL_ENCODE(self, payload, key, algorithm, headers, json_encoder,
                               sort_headers, *args, **kwargs)
    if payload is _REQUIRED or key is _REQUIRED:
        given = (payload, key, algorithm, headers, json_encoder, sort_headers)
        return _call_missing(_GENERAL_ENCODE, self, given, kwargs)
    if type(payload) is dict:
        token = jwt_encode(self, payload, key, algorithm, headers, json_encoder, sort_headers)
        if token is not None:
            return token
    return _GENERAL_ENCODE(self, payload, key, algorithm, headers, json_encoder, sort_headers)


def _entry_get_unverified_header(self, jwt=_REQUIRED, *args, **kwargs):
    if args or kwargs:
        return _GENERAL_HEADER(self, jwt, *args, **kwargs)
    if jwt is _REQUIRED:
        return _GENERAL_HEADER(self)
    header = jws_header(self, jwt)
    if header is not None:
        return header
    return _GENERAL_HEADER(self, jwt)


def fast_entry(method):
    """*method* (the global PyJWT's or PyJWS's bound decode, decode_complete,
    encode or get_unverified_header) as a bound C entry; any other method
    is returned as it is."""
    global _GENERAL_DECODE, _GENERAL_DECODE_COMPLETE, _GENERAL_ENCODE, _GENERAL_HEADER
    general = method.__func__
    qualname = general.__qualname__
    if qualname == "PyJWT.decode":
        _GENERAL_DECODE = general
        entry = _entry_decode
    elif qualname == "PyJWT.decode_complete":
        _GENERAL_DECODE_COMPLETE = general
        entry = _entry_decode_complete
    elif qualname == "PyJWT.encode":
        _GENERAL_ENCODE = general
        entry = _entry_encode
    elif qualname == "PyJWS.get_unverified_header":
        _GENERAL_HEADER = general
        entry = _entry_get_unverified_header
    else:
        return method
    # Name, docstring and signature are the method's (inspect follows
    # __wrapped__), so help(jwt.decode) reads as it does for PyJWT.
    _update_wrapper(entry, general)
    return _MethodType(entry, method.__self__)
