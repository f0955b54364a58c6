"""[smtp] and [imap]: provider presets, the sign-in keys, where secrets come from, and why
mail settings never make a packet stale."""

from __future__ import annotations

import re
import time
import tomllib
from pathlib import Path

import jsonschema
import pytest

from conftest import SAMPLES
from mailservers import TOKEN, token_command
from packetbuilder.config import Imap, Smtp, json_schema, parse_config
from packetbuilder.credentials import Credential, command_argv, run_token_command
from packetbuilder.errors import InputError, WorkError
from packetbuilder.incremental import input_digest
from packetbuilder.providers import PORTS, PROVIDERS
from packetbuilder.sasl import exchange

SAMPLE_TOML = (SAMPLES / "packet.toml").read_text(encoding="utf-8")


def with_tables(extra: str) -> str:
    return SAMPLE_TOML + "\n" + extra


# -- presets ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_a_provider_fills_both_servers_with_its_published_settings(name):
    smtp, imap = Smtp.model_validate({"provider": name}), Imap.model_validate({"provider": name})
    preset = PROVIDERS[name]
    assert (smtp.host, smtp.security, smtp.port) == (preset.smtp.host, preset.smtp.security,
                                                     PORTS["smtp"][preset.smtp.security])
    assert (imap.host, imap.security, imap.port) == (preset.imap.host, "ssl", 993)


def test_keys_written_beside_a_provider_win_and_the_port_follows_the_security():
    assert Smtp.model_validate({"provider": "gmail", "security": "ssl"}).port == 465
    assert Smtp.model_validate({"provider": "gmail", "port": 2525}).port == 2525
    assert Imap.model_validate({"provider": "outlook", "host": "imap.school.edu"}).host == "imap.school.edu"
    assert Imap.model_validate({"host": "imap.school.edu", "security": "starttls"}).port == 143
    assert Smtp.model_validate({"host": "smtp.school.edu"}).port == 587


def test_the_published_settings_pages_are_named_beside_the_table():
    source = (Path(__file__).resolve().parent.parent / "packetbuilder" / "providers.py").read_text()
    for name in PROVIDERS:
        row = source.index(f'"{name}": Provider(')
        assert "https://" in source[source.rindex("\n\n", 0, row):row], f"{name} names no settings page"


@pytest.mark.parametrize("table, message, key", [
    ("[smtp]\nport = 25\n", "no server is named", "smtp.host"),
    ('[imap]\nprovider = "gmial"\n', "'gmial' is not allowed", "imap.provider"),
    ('[imap]\nprovider = "gmail"\nusername = "a@b.org"\nauth = "oauth2"\n', 'needs a token', "imap.auth"),
    ('[smtp]\nprovider = "gmail"\nusername = "a@b.org"\ntoken_command = "oama access a@b.org"\n',
     'add auth = "oauth2"', "smtp.token_command"),
    ('[imap]\nprovider = "gmail"\nauth = "oauth2"\ntoken_command = "x"\n', "needs a user name", "imap.username"),
    ('[imap]\nprovider = "gmail"\ntimeout = 0\n', "out of range", "imap.timeout"),
])
def test_an_incomplete_sign_in_is_refused_at_its_key(table, message, key):
    with pytest.raises(InputError) as caught:
        parse_config(with_tables(table))
    problem = caught.value.problems[0]
    assert message in f"{problem.message} — {problem.fix}" and problem.key == key and problem.line


def as_json(value: object) -> object:
    """TOML as an editor hands it to a JSON Schema validator: dates become ISO strings."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


def test_a_provider_alone_is_a_valid_table_for_an_editor_too():
    text = with_tables('[smtp]\nprovider = "outlook"\nusername = "a@b.org"\n\n[imap]\nprovider = "outlook"\n')
    assert parse_config(text).imap.host == "outlook.office365.com"
    jsonschema.validate(as_json(tomllib.loads(text)), json_schema(), cls=jsonschema.Draft202012Validator)


def test_every_imap_key_is_documented_and_explained_in_the_sample():
    """test_schema and test_init check [smtp]'s keys; [imap] has its own, drafts."""
    docs = (SAMPLES.parent / "docs" / "format.md").read_text(encoding="utf-8")
    for key in Imap.model_fields:
        assert f"| `{key}` |" in docs, f"Imap.{key} is not in docs/format.md"
        line = re.search(rf"^#? *{key} = .*$", SAMPLE_TOML, re.MULTILINE)
        assert line and "#" in line.group(0).lstrip("#"), f"Imap.{key} has no comment in samples/packet.toml"


# -- mail settings are not packet content ----------------------------------------------------

def test_packet_toml_is_hashed_without_its_mail_tables_or_comments(tmp_path):
    toml = tmp_path / "packet.toml"

    def digest(text: str) -> str | None:
        toml.write_text(text, encoding="utf-8")
        return input_digest(toml, "packet.toml")

    base = digest(SAMPLE_TOML)
    assert digest(with_tables('[smtp]\nprovider = "gmail"\n\n[imap]\nprovider = "gmail"\ndrafts = "X"\n')) == base
    assert digest("# a comment\n" + SAMPLE_TOML.replace("\n\n", "\n\n\n")) == base
    assert digest(SAMPLE_TOML.replace('name = "Maya Chen, MD"', 'name = "Maya Chen, MD, PhD"')) != base
    # a date and the same text in quotes are different inputs
    assert digest(SAMPLE_TOML.replace("deadline = 2026-09-24", 'deadline = "2026-09-24"')) != base
    assert digest("not = [toml") == input_digest(toml, "other.md")  # unreadable TOML: its bytes


# -- secrets: token_command, SASL --------------------------------------------------------------

def test_a_plain_command_runs_without_a_shell_and_shell_syntax_with_one():
    assert command_argv('oama access "anh nguyen@x.edu"') == ["oama", "access", "anh nguyen@x.edu"]
    assert command_argv("mutt_oauth2.py ~/.tokens") == ["/bin/sh", "-c", "mutt_oauth2.py ~/.tokens"]
    assert command_argv("pass show mail | head -1")[:2] == ["/bin/sh", "-c"]


def test_the_token_command_gives_the_token_and_its_failures_never_show_output(tmp_path):
    assert run_token_command(token_command(tmp_path), "smtp") == TOKEN
    with pytest.raises(WorkError) as failed:
        run_token_command(token_command(tmp_path, exit_status=3), "imap")
    assert "exit status 3" in failed.value.problems[0].message and TOKEN not in str(failed.value)
    assert failed.value.problems[0].key == "imap.token_command"
    with pytest.raises(WorkError) as spaced:
        run_token_command(token_command(tmp_path, token="two words"), "smtp")
    assert "printed no access token" in str(spaced.value) and "two words" not in str(spaced.value)
    with pytest.raises(WorkError) as missing:
        run_token_command("no-such-token-tool --print", "smtp")
    assert "could not be started" in str(missing.value)


def test_a_token_command_that_hangs_is_killed_with_its_children(tmp_path):
    marker = tmp_path / "child-alive"
    script = tmp_path / "hang.sh"
    script.write_text(f"sleep 30 & echo $! > {marker}\nwait\n")
    started = time.monotonic()
    with pytest.raises(WorkError) as caught:
        run_token_command(f"sh {script} && true", "smtp", timeout=1)
    assert time.monotonic() - started < 10 and "did not finish within 1 s" in str(caught.value)
    status = Path(f"/proc/{int(marker.read_text())}/status")
    time.sleep(0.2)
    # gone, or a zombie waiting for an init that reaps (killed all the same)
    alive = status.exists() and "State:\tZ" not in status.read_text()
    assert not alive, "the token command's child outlived the timeout"


def test_sasl_responses_carry_utf8_and_the_token_as_the_mechanisms_define():
    password = Credential("anh@x.edu", "password", "crème-密码")
    assert exchange(password, {"PLAIN", "LOGIN"}).responses == (b"\0anh@x.edu\0" + "crème-密码".encode(),)
    assert exchange(password, {"LOGIN"}).responses == (b"anh@x.edu", "crème-密码".encode())
    token = Credential("a,b=c@x.edu", "oauth2", "tok")
    assert exchange(token, {"XOAUTH2", "OAUTHBEARER"}).responses[0] == b"user=a,b=c@x.edu\x01auth=Bearer tok\x01\x01"
    assert exchange(token, {"OAUTHBEARER"}).responses == (b"n,a=a=2Cb=3Dc@x.edu,\x01auth=Bearer tok\x01\x01",
                                                          b"\x01")
    assert exchange(token, {"PLAIN"}) is None and "tok" not in repr(token) + repr(exchange(token, {"XOAUTH2"}))
