"""Results xenlab adds to an Allure results folder beside pytest's: the gate's verdict, expired waivers.

Written in the Allure 2 result format that Allure 3 reads, so they show in the same report as the checks.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

MIME = {
    "text": ("text/plain", "txt"),
    "json": ("application/json", "json"),
    "csv": ("text/csv", "csv"),
    "png": ("image/png", "png"),
}


def write_result(
    folder: Path | str,
    name: str,
    status: str,
    message: str = "",
    *,
    full_name: str | None = None,
    attachments: list[tuple[str, str | bytes, str]] = (),
    labels: dict[str, str] | None = None,
) -> Path:
    """One test result (status passed, failed, broken or skipped) with attachments [(title, body, kind)]."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    now = int(time.time() * 1000)
    attached = []
    for title, body, kind in attachments:
        mime, ext = MIME[kind]
        source = f"{uuid.uuid4()}-attachment.{ext}"
        (out / source).write_bytes(body if isinstance(body, bytes) else body.encode())
        attached.append({"name": title, "source": source, "type": mime})
    ident = full_name or f"xenlab.{name}"
    result = {
        "uuid": str(uuid.uuid4()),
        "historyId": ident,
        "testCaseId": ident,
        "fullName": ident,
        "name": name,
        "status": status,
        "statusDetails": {"message": message} if message else {},
        "stage": "finished",
        "start": now,
        "stop": now,
        "attachments": attached,
        "labels": [{"name": k, "value": v} for k, v in {"framework": "xenlab", **(labels or {})}.items()],
    }
    path = out / f"{result['uuid']}-result.json"
    path.write_text(json.dumps(result, indent=1))
    return path
