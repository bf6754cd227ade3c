"""Whole-file reads and writes for the host tools, each file closed by a `with` as soon as it is done."""
import json
from typing import Optional


def read_text(path: str, errors: Optional[str] = None) -> str:
    """The text of a file (errors='replace' for a serial log's undecodable bytes)."""
    with open(path, errors=errors) as f:
        return f.read()


def read_bytes(path: str) -> bytes:
    with open(path, 'rb') as f:
        return f.read()


def write_text(path: str, text: str) -> None:
    with open(path, 'w') as f:
        f.write(text)


def write_json(path: str, value: object) -> None:
    """JSON as bench-run writes meta.json: indented by one space."""
    with open(path, 'w') as f:
        json.dump(value, f, indent=1)
