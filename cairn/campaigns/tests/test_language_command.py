"""`cairn check-language`: a file's findings, one per line, and an exit code for CI."""

import pytest
from django.core.management import call_command

from cairn.campaigns.tests.language_fixtures import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db


def test_a_file_with_terms_to_change_fails(tmp_path, capsys, shipped_terms):
    poster = tmp_path / "poster.txt"
    poster.write_text(
        "Naloxone saves lives.\nAddicts are our neighbours.\nAn overdose can happen.\n"
    )
    with pytest.raises(SystemExit) as exit:
        call_command("check_language", str(poster))
    assert exit.value.code == 1
    out = capsys.readouterr().out
    assert f"{poster}:2: 'Addicts' (addict) → 'person with a substance use disorder'" in out
    assert f"{poster}:3: 'overdose'" in out and "[consider]" in out
    assert out.strip().endswith("1 term to change, 1 to consider.")


def test_a_file_with_suggestions_only_passes(tmp_path, capsys, shipped_terms):
    poster = tmp_path / "poster.txt"
    poster.write_text("Overdose can happen to anyone. Carry naloxone.")
    call_command("check_language", str(poster), "--shipped")
    assert "0 terms to change, 1 to consider." in capsys.readouterr().out


def test_cairn_own_text(capsys, shipped_terms):
    call_command("check_language")
    assert capsys.readouterr().out.startswith("0 terms to change")
