"""TestProvider: the test provider's process, seen from the test process.

Importing this module loads nothing of the provider's Django project: the provider runs in a
child process whose environment names its settings (DJANGO_SETTINGS_MODULE), so pytest-django
and the app's settings never see them.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]  # the repository: `tests` is importable from there
START_TIMEOUT_S = 60  # migrating a fresh SQLite file on a busy machine

CLIENT_ID = "casefile-audit-test"
CLIENT_SECRET = "test-client-secret-not-for-production"
PASSWORD = "provider-password-123"  # every person's password at the provider

# The council's directory: invented people in invented groups. The app maps CFA-QA-Leads and
# CFA-Auditors to roles (tests name the mapping); CFA-Finance gives no role.
PEOPLE = [
    {
        "username": "priya.sso",
        "given_name": "Priya",
        "family_name": "Marsh",
        "email": "priya.sso@council.example",
        "groups": ["CFA-QA-Leads"],
    },
    {
        "username": "tom.sso",
        "given_name": "Tom",
        "family_name": "Achebe",
        "email": "tom.sso@council.example",
        "groups": ["CFA-Auditors"],
    },
    {
        "username": "una.sso",
        "given_name": "Una",
        "family_name": "Ferris",
        "email": "una.sso@council.example",
        "groups": ["CFA-Finance"],
    },
]


class ProviderDidNotStart(Exception):
    pass


class TestProvider:
    """One provider process with its own SQLite file in ``workdir``."""

    __test__ = False  # not a test class, for all its name

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.db = self.workdir / "provider.sqlite3"
        self.log = self.workdir / "provider.log"
        self.process = None
        self.issuer = ""
        self._regrouped: set[str] = set()
        self._allowed: set[tuple[str, str, str]] = set()

    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        return env

    def _command(self, *args) -> list[str]:
        return [sys.executable, "-m", "tests.oidc_provider", *args, "--db", str(self.db)]

    def start(self) -> str:
        """Start, wait until discovery answers; the issuer URL."""
        ready = self.workdir / "issuer"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                self._command("serve", "--ready-file", str(ready)),
                cwd=ROOT,
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ProviderDidNotStart(f"The test provider exited:\n{self.log.read_text()}")
            if ready.exists():
                self.issuer = ready.read_text()
                try:
                    url = f"{self.issuer}/.well-known/openid-configuration"
                    if requests.get(url, timeout=5).status_code == 200:
                        return self.issuer
                except requests.ConnectionError:
                    pass
            time.sleep(0.1)
        self.stop()
        raise ProviderDidNotStart(f"The test provider did not answer:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _run(self, *args) -> None:
        result = subprocess.run(
            self._command(*args), cwd=ROOT, env=self._env(), capture_output=True, text=True
        )
        if result.returncode:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}")

    def set_groups(self, username: str, groups: list[str]) -> None:
        """Change a person's groups at the provider (their next sign-in carries them)."""
        self._run("set-groups", username, *groups)
        self._regrouped.add(username)

    def restore_groups(self) -> None:
        """Everyone's groups as in PEOPLE again, after a test changed some."""
        for person in PEOPLE:
            if person["username"] in self._regrouped:
                self._run("set-groups", person["username"], *person["groups"])
        self._regrouped.clear()

    def allow_app(self, base_url: str, callback_path: str, signed_out_path: str) -> None:
        """Let the app at ``base_url`` use the provider (its redirect URIs are exact)."""
        if (base_url, callback_path, signed_out_path) in self._allowed:
            return
        self._run(
            "allow-app",
            "--redirect-uri",
            base_url.rstrip("/") + callback_path,
            "--post-logout-uri",
            base_url.rstrip("/") + signed_out_path,
        )
        self._allowed.add((base_url, callback_path, signed_out_path))
