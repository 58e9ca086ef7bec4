"""The docs name every command barcode, and the rendered broker ACL has a clean header."""

from __future__ import annotations

import re

from central.pki import render_acl
from tests.support.config import ROOT
from workflows.inputs import Command
from workflows.messages import Msg


def test_every_command_barcode_is_in_the_workflows_doc_with_its_card_name() -> None:
    text = (ROOT / "docs" / "workflows.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(PVZC-[A-Z-]+)` \| ([^|]+) \|", text, flags=re.MULTILINE))
    missing = [c.barcode for c in Command if c.barcode not in rows]
    assert missing == []
    for command in Command:  # the name in the table is the name on the card
        assert rows[command.barcode].strip().lower() == Msg(f"cmd_{command.name}").render("en").lower()


def test_the_rendered_acl_header_is_whole_comment_lines_and_no_template_marker() -> None:
    acl = render_acl("s1", ["pvz-0001"], ["central"])
    header = acl.split("\nuser ", 1)[0]
    assert all(line.startswith("# ") or line in ("#", "") for line in header.splitlines()), header
    assert "#@" not in acl and '"#@' not in header
    assert header.count("pvz-central pki") == 2
    assert "user pvz-0001\n" in acl and "user hub-central\n" in acl
