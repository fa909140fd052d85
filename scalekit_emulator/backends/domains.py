"""Domains of organizations: SSO discovery domains and allowed email domains.

The emulator has no DNS. A domain is verified when the TXT record Scalekit asks for has been
"published" through the control API (``POST /_emulator/dns``), so a test can walk the whole
verification flow; until then VerifyDomain answers ``verified: false`` and the domain stays pending.
"""

from __future__ import annotations

import re
import secrets

from ..errors import already_exists, invalid
from ..records import DomainRecord
from .environment import Environment, Page, new_id

DOMAIN_TYPES = ("ORGANIZATION_DOMAIN", "ALLOWED_EMAIL_DOMAIN")
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 30, 100  # ListDomainRequest.page_size: "Default is 30, maximum is 100"
_NAME = re.compile(r"^(?=.{4,255}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# CreateDomain.domain: "Public and disposable domains (gmail.com, outlook.com, etc.) are
# automatically blocked".
PUBLIC_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "mail.com",
        "yandex.com",
        "zoho.com",
        "mailinator.com",
        "10minutemail.com",
        "guerrillamail.com",
    }
)


class Domains:
    def __init__(self, env: Environment) -> None:
        self.env = env

    def listing(
        self,
        org_id: str = "",
        external_id: str = "",
        *,
        domain_type: str | None = None,
        page_size: int | None = None,
        page_number: int | None = None,
    ) -> Page[DomainRecord]:
        """Newest first; pages are numbered from 0, as ListDomainRequest says."""
        size = page_size or DEFAULT_PAGE_SIZE
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise invalid(f"page_size: must be between 1 and {MAX_PAGE_SIZE}")
        number = page_number or 0
        if number < 0:
            raise invalid("page_number: must not be negative")
        with self.env.lock:
            org = self.env.organization(org_id, external_id)
            found = [
                d
                for d in self.env.of_org(self.env.domains, self.env.org_domains, org.id)
                if domain_type is None or d.domain_type == domain_type
            ]
        start = number * size
        return Page(
            items=found[start : start + size], next_page_token="", prev_page_token="", total_size=len(found)
        )

    def get(self, domain_id: str, org_id: str = "", external_id: str = "") -> DomainRecord:
        with self.env.lock:
            org = self.env.organization(org_id, external_id)
            return self.env.owned(self.env.domains, org.id, domain_id, "domain")

    def create(
        self, name: str, domain_type: str | None, org_id: str = "", external_id: str = ""
    ) -> DomainRecord:
        domain = name.strip().lower().rstrip(".")
        if not _NAME.match(domain):
            raise invalid(f"domain.domain: {name!r} is not a domain name")
        if domain in PUBLIC_DOMAINS:
            raise invalid(
                f"domain.domain: {domain} is a public email domain and cannot belong to an organization"
            )
        kind = domain_type or "ORGANIZATION_DOMAIN"
        if kind not in DOMAIN_TYPES:
            raise invalid(f"domain.domain_type: must be one of {', '.join(DOMAIN_TYPES)}")
        env = self.env
        with env.lock:
            org = env.organization(org_id, external_id)
            if any(d.domain == domain and d.domain_type == kind for d in env.domains.values()):
                raise already_exists(f"the domain {domain} is already registered in this environment")
            now = env.clock()
            record = DomainRecord(
                id=new_id("dom"),
                organization_id=org.id,
                domain=domain,
                # The docs: a domain added through the API is verified by the admin adding it.
                verification_status="VERIFIED" if env.readings.domains_verified_on_create else "PENDING",
                domain_type=kind,
                create_time=now,
                update_time=now,
                txt_record_key=f"_scalekit-verification.{domain}",
                txt_record_secret=f"scalekit-verification={secrets.token_hex(16)}",
            )
            env.add(env.domains, env.org_domains, record)
            env.edited()
            return record

    def update(self, domain_id: str, org_id: str = "", external_id: str = "") -> DomainRecord:
        """UpdateDomain's body (UpdateDomain) declares no field: the call only touches the domain."""
        with self.env.lock:
            record = self.get(domain_id, org_id, external_id)
            record.update_time = self.env.clock()
            self.env.edited()
            return record

    def verify(self, domain_id: str, org_id: str = "", external_id: str = "") -> bool:
        with self.env.lock:
            record = self.get(domain_id, org_id, external_id)
            if record.verification_status in ("VERIFIED", "AUTO_VERIFIED"):
                return True
            published = (record.txt_record_key, record.txt_record_secret) in self.env.txt_records
            record.verification_status = "VERIFIED" if published else "PENDING"
            record.update_time = self.env.clock()
            self.env.edited()
            return published

    def delete(self, domain_id: str, org_id: str = "", external_id: str = "") -> None:
        env = self.env
        with env.lock:
            record = self.get(domain_id, org_id, external_id)
            env.remove(env.domains, env.org_domains, record.id)
            for conn_id in env.org_connections.get(record.organization_id, []):
                conn = env.connections[conn_id]
                if record.id in conn.domain_ids:
                    conn.domain_ids.remove(record.id)
            env.edited()

    def publish_txt(self, name: str, value: str) -> None:
        """The control API's stand-in for DNS: a TXT record is now visible."""
        with self.env.lock:
            self.env.txt_records.add((name.strip().lower(), value.strip()))
            self.env.edited()
