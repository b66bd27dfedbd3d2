"""The first run, as a newcomer makes it: the README's commands work as written, the
settings read a .env file, .env.example lists every setting, `make run` does not pile up
tokens."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from agencies.models import ApiToken

ROOT = Path(__file__).resolve().parent.parent


def settings_variables() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'(?:env\.\w+|_audience|os\.environ\.get)\(\s*"([A-Z_]+)"', source))


def test_env_example_lists_every_variable_the_settings_read():
    example = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))

    assert settings_variables() - {"ENV_FILE"} == example


def test_the_readme_names_every_variable_of_env_example():
    readme = (ROOT / "README.md").read_text()
    example = re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M)

    assert [name for name in example if f"`{name}`" not in readme] == []


def manage(*args, env_file: Path, database: Path):
    environment = {
        "PATH": "/usr/bin:/bin",
        "ENV_FILE": str(env_file),
        "DATABASE_URL": f"sqlite:///{database}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_readme_commands_work_as_written_with_the_env_file_make_run_writes(tmp_path):
    # given the .env that `make run` writes (DEBUG=1 and a secret key), nothing exported
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nSECRET_KEY=" + "s" * 50 + "\n")
    database = tmp_path / "db.sqlite3"
    for setup in (("migrate", "--noinput"), ("seed_demo",)):
        assert manage(*setup, env_file=env_file, database=database).returncode == 0

    # when the README's and the docs' commands are typed as written
    token = manage("create_api_token", "wco.coordinator", env_file=env_file, database=database)
    analysis = manage(
        "analyse_operation",
        "COLIBRI-SKY",
        "--user",
        "wco.analyst",
        env_file=env_file,
        database=database,
    )

    # then they work
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip().startswith("jo_")
    assert analysis.returncode == 0, analysis.stderr
    assert "Done" in analysis.stdout


def test_without_a_secret_key_in_env_or_file_production_refuses_to_start(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=0\n")

    result = manage("check", env_file=env_file, database=tmp_path / "db.sqlite3")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_make_runs_token_replaces_the_previous_one(coordinator, capsys):
    for _ in range(3):
        call_command("create_api_token", coordinator.username, name="make run", replace=True)
    call_command("create_api_token", coordinator.username, name="other")

    active = ApiToken.objects.filter(user=coordinator, revoked_at__isnull=True)
    assert sorted(active.values_list("name", flat=True)) == ["make run", "other"]
    assert ApiToken.objects.filter(user=coordinator, name="make run").count() == 3


def test_make_run_asks_for_one_token_per_start():
    makefile = (ROOT / "Makefile").read_text()

    assert "create_api_token wco.coordinator --name 'make run' --replace" in makefile
