"""The health config: the shipped default is complete and valid; a file laid over it changes
only what it sets; every wrong value is a one-line usage error naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from ossmeta.analyses.health import PARTS, SIGNALS, default_config, load_config
from ossmeta.errors import InputError, UsageError


def test_the_default_names_every_part_and_signal() -> None:
    config = default_config()
    assert [name for name, _ in config.part_weights] == list(PARTS)
    assert [spec.kind for spec in config.signals] == list(SIGNALS)
    assert all(spec.threshold > 0 and spec.weight > 0 for spec in config.signals)
    assert "MIT" in config.license_allow
    assert config.source == "default"


def test_a_file_changes_only_what_it_sets(tmp_path: Path) -> None:
    path = tmp_path / "health.toml"
    path.write_text(
        "window_months = 6\n[parts]\nadoption = 0\n[signals.activity]\nthreshold = 50\n"
    )
    config = load_config(path)
    default = default_config()
    assert config.window_months == 6
    assert config.part_weight("adoption") == 0
    assert config.part_weight("security") == default.part_weight("security")
    activity = next(s for s in config.signals if s.kind.name == "activity")
    assert (activity.threshold, activity.weight) == (50, 2)  # weight from the default
    assert config.license_allow == default.license_allow
    assert config.source == str(path)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("window_months = 0", 1, "window_months must be an integer from 1 to 120, not 0"),
        ("signals.activity.weight = -1", None, "[signals.activity] weight must be a finite"),
        ("# mine\ncolour = 1", 2, "unknown key 'colour'"),
        ("[parts]\nsecurity = -1", 2, "[parts] security must be a finite number 0 or more, not -1"),
        ("[parts]\nsecurity = true", 2, "[parts] security must be a number, not a boolean"),
        ("[parts]\nsafety = 1", 2, "[parts]: unknown key 'safety'"),
        (
            "[parts]\nsecurity = 0\nlicense = 0\nmaintenance = 0\ncommunity = 0\nadoption = 0",
            1,
            "at least one part needs a weight above 0",
        ),
        ("[signals.stars]\nweight = 1", 1, "[signals]: unknown key 'stars'"),
        ("[signals.activity]\nthreshold = 0", 2, "[signals.activity] threshold must be a finite"),
        (
            "[ signals . activity ]\n\nweight = 'high'",
            3,
            "[signals.activity] weight must be a number",
        ),
        ("[signals.activity]\nwieght = 1", 2, "[signals.activity]: unknown key 'wieght'"),
        ("[signals]\nactivity = {threshold = -1}", 2, "[signals.activity] threshold must be"),
        ("signals = 3", 1, "[signals] must be a table, not an integer"),
        ("[license]\nallow = 'MIT'", 2, "[license] allow must be a list of SPDX"),
        ("[license]\nallow = ['MIT', 3]", 2, "[license] allow must be a list of SPDX"),
    ],
)
def test_wrong_values_are_one_line_errors_naming_the_line(
    tmp_path: Path, text: str, line: int | None, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text + "\n")
    with pytest.raises(UsageError) as caught:
        load_config(path)
    shown = str(caught.value)
    assert shown.startswith(f"{path}:{line}: " if line else f"{path}: "), shown
    assert message in shown
    assert "\n" not in shown


def test_unreadable_files_are_input_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[parts\n")
    with pytest.raises(InputError, match="invalid TOML"):
        load_config(broken)
    with pytest.raises(InputError, match="no such file"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(InputError, match="is a directory"):
        load_config(tmp_path)
