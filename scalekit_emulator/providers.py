"""The identity and directory providers the emulator knows: one table for the seed, the wire
adapters and the mock admin portal.

``enum`` is the SDK's ConnectionProvider / DirectoryProvider value name; ``weight`` is how often
the seed picks it (Okta and Entra ID dominate enterprise SSO, as CS teams report).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    key: str  # what the portal page sends
    label: str
    enum: str  # ConnectionProvider name
    protocol: str  # the protocol the portal suggests first: "SAML" or "OIDC"
    weight: int  # seed frequency; 0 = never seeded
    directory: bool  # also a SCIM directory provider (same DirectoryProvider name)


PROVIDERS = (
    Provider("okta", "Okta", "OKTA", "SAML", 35, True),
    Provider("entra", "Microsoft Entra ID", "MICROSOFT_AD", "SAML", 30, True),
    Provider("google", "Google Workspace", "GOOGLE", "SAML", 15, True),
    Provider("onelogin", "OneLogin", "ONELOGIN", "SAML", 7, True),
    Provider("jumpcloud", "JumpCloud", "JUMPCLOUD", "SAML", 7, True),
    Provider("ping", "Ping Identity", "PING_IDENTITY", "SAML", 6, True),
    Provider("saml", "Generic SAML", "CUSTOM", "SAML", 0, False),
    Provider("oidc", "Generic OIDC", "CUSTOM", "OIDC", 0, False),
)
SSO_PROVIDERS = PROVIDERS
DIRECTORY_PROVIDERS = tuple(p for p in PROVIDERS if p.directory)
SEEDED = tuple(p for p in PROVIDERS if p.weight)


def by_key(key: str | None, providers: tuple[Provider, ...] = PROVIDERS) -> Provider | None:
    return next((p for p in providers if p.key == key), None)


def for_connection(enum: str, protocol: str) -> Provider | None:
    """The portal's choice for a stored connection (CUSTOM splits into generic SAML and OIDC)."""
    if enum == "CUSTOM":
        return by_key("oidc" if protocol == "OIDC" else "saml")
    return next((p for p in PROVIDERS if p.enum == enum), None)


def label(enum: str) -> str:
    provider = next((p for p in PROVIDERS if p.enum == enum), None)
    return provider.label if provider else enum.replace("_", " ").title()
