"""Claims shaped like the access and ID tokens of common identity providers.

Each shape gives the claims a provider puts in a typical token for a user of
a web application, the ``kid`` its JWKS names the key by, and the issuer and
audience a resource server checks.  The values are made up; the structure
(nested role objects, arrays of audiences and groups, names outside ASCII,
URL-shaped custom claims) follows what these providers issue, so that a
decode has the work a gateway sees.  Signed, they give tokens of 800 to 1,500
bytes (checked by tests/test_benchmarks_runner.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict

Claims = Dict[str, Any]


@dataclass(frozen=True)
class Shape:
    """One provider's token: what a resource server checks, and the claims."""

    label: str
    kid: str
    issuer: str
    audience: str  # the audience passed to decode (one of the token's)
    claims: Callable[[int], Claims]  # now -> claims, valid for the next hour at most


def _keycloak(now: int) -> Claims:
    return {
        "exp": now + 300,
        "iat": now,
        "auth_time": now - 42,
        "jti": "onrtac:5c1e8d2a-7f3b-4d62-9a10-3e8f2b6c7d41",
        "iss": "https://sso.acme.example/realms/customers",
        "aud": ["orders-api", "account"],
        "sub": "8f14e45f-ceea-467a-9af0-2b7d4a1c3e55",
        "typ": "Bearer",
        "azp": "web-shop",
        "sid": "b7e2f1c4-0d9a-4e38-8c61-5a2f9e7d3b10",
        "acr": "1",
        "allowed-origins": ["https://shop.acme.example"],
        "realm_access": {
            "roles": ["offline_access", "uma_authorization", "default-roles-customers", "customer"],
        },
        "resource_access": {
            "orders-api": {"roles": ["orders:read", "orders:write"]},
            "account": {"roles": ["manage-account", "manage-account-links", "view-profile"]},
        },
        "scope": "openid profile email",
        "email_verified": True,
        "name": "Zoë Müller-Łukasiewicz",
        "preferred_username": "zoe.mueller",
        "given_name": "Zoë",
        "family_name": "Müller-Łukasiewicz",
        "email": "zoe.mueller@mail.example",
    }


def _auth0(now: int) -> Claims:
    return {
        "https://acme.example/roles": ["admin", "billing-viewer"],
        "https://acme.example/name": "José Núñez Peña",
        "https://acme.example/org": {"id": "org_7Hq2LrT9xWm3Kp5N", "tier": "enterprise"},
        "iss": "https://acme.eu.auth0.com/",
        "sub": "google-oauth2|104857392018475620193",
        "aud": ["https://api.acme.example", "https://acme.eu.auth0.com/userinfo"],
        "iat": now,
        "exp": now + 3600,
        "scope": "openid profile email read:orders write:orders read:invoices",
        "azp": "r4Nd0mCl13nt1dF0rTh3W3bApp0000",
        "permissions": ["read:invoices", "read:orders", "write:orders"],
    }


def _cognito(now: int) -> Claims:
    return {
        "sub": "5a3c2e1f-9b8d-4c7a-a6e5-0f1d2c3b4a59",
        "cognito:groups": ["eu-west-1_Xy7AbC12d_Google", "support-agents"],
        "email_verified": True,
        "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Xy7AbC12d",
        "cognito:username": "google_104857392018475620193",
        "given_name": "Åsa",
        "origin_jti": "0c9d8e7f-6a5b-4c3d-b2e1-f0a9b8c7d6e5",
        "aud": "3n4b5m6v7c8x9z0l1k2j3h4g5f",
        "identities": [
            {
                "userId": "104857392018475620193",
                "providerName": "Google",
                "providerType": "Google",
                "issuer": None,
                "primary": "true",
                "dateCreated": "1704067200000",
            }
        ],
        "token_use": "id",
        "auth_time": now - 42,
        "name": "Åsa Öberg",
        "exp": now + 3600,
        "iat": now,
        "family_name": "Öberg",
        "jti": "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
        "email": "asa.oberg@mail.example",
    }


_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def _entra(now: int) -> Claims:
    return {
        "aud": "api://a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
        "iss": f"https://login.microsoftonline.com/{_TENANT}/v2.0",
        "iat": now,
        "nbf": now,
        "exp": now + 4500,
        "aio": "AWQAm/8ZAAAAx3Qk9rT2bV7nL1pY5wE8sD4fG6hJ0kZ2cX9vB3nM7qW1eR5tY8uI4oP6aS2dF0gH",
        "azp": "9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19",
        "azpacr": "0",
        "groups": ["0e3f6a2b-9c1d-4e8f-a7b6-5c4d3e2f1a0b", "7d6c5b4a-3f2e-4d1c-9b8a-7f6e5d4c3b2a"],
        "name": "Søren Kierkegård",
        "oid": "3c2b1a09-8f7e-4d6c-b5a4-392817f6e5d4",
        "preferred_username": "soren.kierkegaard@contoso.example",
        "rh": "1.AXkAv4j5cvGGr0GRqy180BHbR9TD4qHl9ntKjJ0OHyo7TF15AHN5AA.",
        "roles": ["Orders.Read", "Orders.Write", "Invoices.Read"],
        "scp": "access_as_user User.Read",
        "sid": "004c1f2e-3d4b-5a69-7887-96a5b4c3d2e1",
        "sub": "kQ8sXwV3pN7mL2jH5gF9dS1aZ4xC6vB0nM8qW3eR7tY",
        "tid": _TENANT,
        "uti": "Vx3bN8mK2lJ7hG4fD9sA1q",
        "ver": "2.0",
    }


SHAPES: dict[str, Shape] = {
    "keycloak": Shape(
        "Keycloak",
        "kc-9WJx0c5yGv3Rb1nQmE8tZ2hL4pK7sD6fA0uI",
        "https://sso.acme.example/realms/customers",
        "orders-api",
        _keycloak,
    ),
    "auth0": Shape(
        "Auth0",
        "NkJCQzIyQzRBMEU4NjhGNUU4MzU4RkY0M0ZDQzkwOUQ0Q0VGNUMwQg",
        "https://acme.eu.auth0.com/",
        "https://api.acme.example",
        _auth0,
    ),
    "cognito": Shape(
        "Cognito",
        "9rT2xQ7mK4pL1vN8bC5zW3eY6uI0oA2sD4fG7hJ9kLw=",
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Xy7AbC12d",
        "3n4b5m6v7c8x9z0l1k2j3h4g5f",
        _cognito,
    ),
    "entra": Shape(
        "Entra ID",
        "kWbkaa6qs8wsTnBwiiNYOhHbnAw",
        f"https://login.microsoftonline.com/{_TENANT}/v2.0",
        "api://a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
        _entra,
    ),
}
