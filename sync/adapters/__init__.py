"""The seam between our contract (sync/openapi.yaml) and a province's own system.

An adapter turns an outbox event into what the backend takes, the kiosk's payment request into
the backend's, and the backend's dossier status into one of ours (kiosk/status.py STATUSES).
``ContractAdapter``, the default, is the identity: a backend that implements our contract needs
nothing more. A province whose one-stop system speaks
its own codes gets an adapter module here built from that system's integration document, with the
table in ``one_stop.py`` as its starting point.
"""

from __future__ import annotations

from typing import Any, Protocol


class Adapter(Protocol):
    def event_out(self, event: dict[str, Any]) -> dict[str, Any]: ...

    def status_in(self, status: str) -> str: ...

    def payment_out(self, request: dict[str, Any]) -> dict[str, Any]: ...


class ContractAdapter:
    def event_out(self, event: dict[str, Any]) -> dict[str, Any]:
        return event

    def status_in(self, status: str) -> str:
        return status

    def payment_out(self, request: dict[str, Any]) -> dict[str, Any]:
        # a one-stop system's adapter would map this onto the dossier's fee list (one_stop.py)
        return request
