"""How fast the HubSpot sandbox serves a connector, with rate limits off.

Prints JSON: seconds to build and seed the portal, and contacts per second for list paging
(the official SDK and plain httpx) and for batch updates (100 per request).

    python benchmarks/sandbox_throughput.py [--contacts 20000]
"""

from __future__ import annotations

import argparse
import json
import time

import httpx
from hubspot import HubSpot

from connector.sandbox.config import SandboxConfig
from connector.sandbox.server import SandboxServer

PROPERTIES = ["email", "firstname", "lastname", "lifecyclestage", "hs_analytics_num_page_views"]


def page_with_sdk(api: HubSpot) -> int:
    """List every contact through the SDK; returns how many came back."""
    seen, after = 0, None
    while True:
        page = api.crm.contacts.basic_api.get_page(limit=100, after=after, properties=PROPERTIES)
        seen += len(page.results)
        if page.paging is None:
            return seen
        after = page.paging.next.after


def page_with_httpx(http: httpx.Client) -> list[str]:
    """List every contact with httpx; returns their ids."""
    ids: list[str] = []
    params: dict[str, str | int] = {"limit": 100, "properties": ",".join(PROPERTIES)}
    while True:
        body = http.get("/crm/v3/objects/contacts", params=params).json()
        ids.extend(r["id"] for r in body["results"])
        if "paging" not in body:
            return ids
        params["after"] = body["paging"]["next"]["after"]


def batch_update(http: httpx.Client, ids: list[str]) -> None:
    """Write a score-like custom property on every contact, 100 per request."""
    for start in range(0, len(ids), 100):
        inputs = [
            {"id": i, "properties": {"leadscore_score": str((n * 7) % 101)}}
            for n, i in enumerate(ids[start : start + 100])
        ]
        response = http.post("/crm/v3/objects/contacts/batch/update", json={"inputs": inputs})
        response.raise_for_status()


def main() -> None:
    """Run the measurements and print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=20_000)
    args = parser.parse_args()
    config = SandboxConfig(contacts_per_portal=args.contacts, rate_limits_enabled=False)
    started = time.perf_counter()
    with SandboxServer(config) as server:
        startup_s = time.perf_counter() - started
        hub_id, token = next(iter(server.sandbox.static_tokens.items()))
        api = HubSpot(access_token=token, host=server.url)
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            http.post(
                "/crm/v3/properties/contacts",
                json={
                    "name": "leadscore_score",
                    "label": "Score",
                    "type": "number",
                    "fieldType": "number",
                    "groupName": "contactinformation",
                },
            ).raise_for_status()
            t0 = time.perf_counter()
            sdk_count = page_with_sdk(api)
            sdk_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            ids = page_with_httpx(http)
            httpx_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            batch_update(http, ids)
            update_s = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "benchmark": "sandbox_throughput",
                "contacts": args.contacts,
                "hub_id": hub_id,
                "startup_and_seed_s": round(startup_s, 2),
                "list_sdk_contacts_per_s": round(sdk_count / sdk_s),
                "list_httpx_contacts_per_s": round(len(ids) / httpx_s),
                "batch_update_contacts_per_s": round(len(ids) / update_s),
            }
        )
    )


if __name__ == "__main__":
    main()
