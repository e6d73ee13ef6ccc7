"""The stand-in backend against the contract, by schemathesis: requests generated from
sync/openapi.yaml for every operation, each answer checked against it (status codes, content
types, bodies) and for server errors. (The client's side is checked in tests/test_sync.py, on
every exchange of a whole round.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from hardware_sim.backend.contract import SPEC_PATH
from tests.backend import KIOSK, SECRET, StandIn

SCHEMA = schemathesis.openapi.from_path(str(SPEC_PATH))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def test_every_path_the_kiosk_calls_is_in_the_contract() -> None:
    labels = {op.label for op in OPERATIONS}
    kiosk = "/v1/kiosks/{kiosk_id}"
    assert labels == {
        "POST /oauth/token", f"POST {kiosk}/events", f"GET {kiosk}/assignments", "GET /v1/dossiers/{code}",
        f"POST {kiosk}/heartbeat", f"GET {kiosk}/sequence", "PUT /v1/payments/{reference}",
        "GET /v1/payments/{reference}", "POST /v1/payments/{reference}/cancel",
    }  # fmt: skip


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIn]:
    b = StandIn(Path(tmp_path_factory.mktemp("contract")), seed=3)
    yield b
    b.stop()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_the_stand_in_answers_every_generated_request_as_the_contract_says(
    backend: StandIn, operation: schemathesis.APIOperation
) -> None:
    form = {"grant_type": "client_credentials", "client_id": KIOSK, "client_secret": SECRET}
    token = requests.post(f"{backend.url}/oauth/token", data=form, timeout=5).json()["access_token"]

    @settings(max_examples=60, deadline=None, phases=[Phase.explicit, Phase.generate], derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(operation.as_strategy())
    def check(case: schemathesis.Case) -> None:
        if "kiosk_id" in (case.path_parameters or {}):
            case.path_parameters["kiosk_id"] = KIOSK  # the one the token is for
        response = case.call(base_url=backend.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        case.validate_response(response)

    check()
