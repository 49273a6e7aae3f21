"""config/gunicorn.py reads the address and the number of workers from the environment."""

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

CONFIG = Path(__file__).resolve().parent.parent / "config" / "gunicorn.py"
NAMES = ("BIND", "PORT", "WEB_CONCURRENCY", "WEB_TIMEOUT", "FORWARDED_ALLOW_IPS")


def _load(monkeypatch, **env):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_by_default_it_listens_on_this_machine_only_with_a_few_workers(monkeypatch):
    config = _load(monkeypatch)

    assert config["bind"] == "127.0.0.1:8000"
    assert 3 <= config["workers"] <= 12
    assert config["accesslog"] == "-"
    assert config["forwarded_allow_ips"] == "127.0.0.1"


def test_the_environment_sets_the_address_workers_and_trusted_proxies(monkeypatch):
    config = _load(monkeypatch, PORT="9000", WEB_CONCURRENCY="5", FORWARDED_ALLOW_IPS="10.0.0.2")

    assert config["bind"] == "0.0.0.0:9000"
    assert config["workers"] == 5
    assert config["forwarded_allow_ips"] == "10.0.0.2"
    assert _load(monkeypatch, BIND="unix:/run/casefile.sock", PORT="9000")["bind"] == (
        "unix:/run/casefile.sock"
    )


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_number_of_workers_stops_it_with_a_message(monkeypatch, value):
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY must be a whole number"):
        _load(monkeypatch, WEB_CONCURRENCY=value)


def test_the_access_log_leaves_out_query_strings(monkeypatch):
    assert "%(U)s" in _load(monkeypatch)["access_log_format"]
    assert "%(r)s" not in _load(monkeypatch)["access_log_format"]


def test_a_worker_freezes_what_it_holds_after_its_first_requests_and_again_later(monkeypatch):
    """The gunicorn hook (post_request) collects and freezes after the 50th and the 500th
    request a worker serves, and after no other: what is frozen no longer slows a full
    collection. (Frozen objects that are later freed leave the count, so it can fall.)"""
    config = _load(monkeypatch)
    hook = config["post_request"]
    assert [n for n in range(1, 2001) if config["freezes_after"](n)] == [50, 500]
    gc.unfreeze()
    try:
        hook(SimpleNamespace(nr=49), None, {}, None)
        assert gc.get_freeze_count() == 0
        hook(SimpleNamespace(nr=50), None, {}, None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
