"""The `practices` command, run as a user would run it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import search_query

ROOT = Path(__file__).resolve().parents[1]


def run(
    data_dir: Path, *args: str, input: str | None = None, cwd: Path = ROOT, **env: str
) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SEARCH_BACKEND")}
    environ.update({"DATA_DIR": str(data_dir), "PYTHONIOENCODING": "utf-8"}, **env)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], cwd=cwd, env=environ, input=input,
        capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "var"
    result = run(d, "migrate")
    assert result.returncode == 0, result.stderr
    return d


def test_the_embedded_default_writes_only_under_data_dir(tmp_path: Path) -> None:
    """migrate, seed and reindex run from an empty working directory: every file they write is
    under DATA_DIR, nothing beside it, nothing in the working directory."""
    cwd, data = tmp_path / "cwd", tmp_path / "var"
    cwd.mkdir()
    for command in ("migrate", "seed", "reindex"):
        result = run(data, command, cwd=cwd, PYTHONPATH=str(ROOT))
        assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "var"]
    assert list(cwd.iterdir()) == []
    written = {p.name for p in data.iterdir()}
    assert {"practices.db", "search.db"} <= written
    assert all(name.startswith(("practices.db", "search.db")) for name in written), written


def test_seed_is_idempotent_and_searchable(data_dir: Path) -> None:
    first = run(data_dir, "seed")
    assert first.returncode == 0, first.stderr
    second = run(data_dir, "seed")
    assert "Добавлено практик: 0" in second.stderr
    exported = run(data_dir, "export")
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    seed_count = len((ROOT / "seed_data" / "practices.jsonl").read_text(encoding="utf-8").splitlines())
    assert len(lines) == seed_count
    assert (data_dir / "search.db").exists()  # the local index lives under DATA_DIR too


def test_import_bad_file_names_line_and_field_and_changes_nothing(data_dir: Path, tmp_path: Path) -> None:
    good = {"title": "Народный бюджет", "region": "RU-BEL", "municipality_type": "urban-okrug", "themes": ["finance"]}
    rows = [json.dumps(good | {"slug": f"p-{i}"}, ensure_ascii=False) for i in range(6)]
    rows.append(json.dumps(good | {"slug": "p-7", "region": "RU-ZZZ"}))
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run(data_dir, "import", str(path))
    assert result.returncode == 1
    assert "строка 7: region" in result.stderr
    assert run(data_dir, "export").stdout == ""


def test_import_export_round_trip(data_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"slug": "elka", "title": "Ёлка во дворе", "region": "RU-KHA", "municipality_type": "urban-okrug",
                    "themes": ["urban-environment"], "year_started": 2021}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    assert run(data_dir, "import", str(src)).returncode == 0
    out = tmp_path / "out.jsonl"
    assert run(data_dir, "export", str(out)).returncode == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["title"] == "Ёлка во дворе" and record["year_started"] == 2021 and record["status"] == "published"


def test_create_admin_refuses_short_password(data_dir: Path) -> None:
    bad = run(data_dir, "create-admin", "moder", ADMIN_PASSWORD="short")
    assert bad.returncode == 2 and "не короче" in bad.stderr
    assert run(data_dir, "create-admin", "moder", ADMIN_PASSWORD="a-long-password").returncode == 0


def test_generate_marks_synthetic_and_indexes(data_dir: Path) -> None:
    result = run(data_dir, "generate", "50")
    assert result.returncode == 0, result.stderr
    assert "В индексе документов: 50" in result.stderr
    records = [json.loads(line) for line in run(data_dir, "export").stdout.splitlines()]
    assert len(records) == 50 and all(r["slug"].startswith("synthetic-") for r in records)


def test_reindex_of_thousands_rebuilds_the_whole_index(data_dir: Path) -> None:
    """Enough pages for the local engine's worker processes where there are two CPUs."""
    from app.search.local import LocalIndex

    assert run(data_dir, "generate", "4100").returncode == 0
    result = run(data_dir, "reindex")
    assert result.returncode == 0, result.stderr
    assert "В индексе документов: 4100 (local)" in result.stderr
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".stage-")]
    index = LocalIndex(data_dir / "search.db")
    try:
        assert index.count() == 4100
        assert index.search(search_query(text="практики")).total > 0
    finally:
        index.close()


def test_bad_settings_are_reported_without_traceback(tmp_path: Path) -> None:
    result = run(tmp_path, "migrate", ENVIRONMENT="production")
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


def test_check_reports_configuration_and_problems(tmp_path: Path, data_dir: Path) -> None:
    ok = run(data_dir, "check")
    assert ok.returncode == 0, ok.stderr
    assert "SEARCH_BACKEND" in ok.stderr and "Всё в порядке" in ok.stderr
    empty = run(tmp_path / "empty", "check")
    assert empty.returncode == 1 and "practices migrate" in empty.stderr
    meili_down = run(data_dir, "check", SEARCH_BACKEND="meilisearch", MEILI_URL="http://127.0.0.1:9", MEILI_API_KEY="k" * 20)
    assert meili_down.returncode == 1 and "meilisearch недоступен" in meili_down.stderr
    assert "k" * 20 not in meili_down.stderr  # secrets are masked
    token = run(data_dir, "check", METRICS_TOKEN="t" * 24)
    assert "METRICS_TOKEN" in token.stderr and "t" * 24 not in token.stderr


def test_thesaurus_check_names_bad_rows(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from app.cli import cli
    from app.settings import get_settings

    bad = tmp_path / "thesaurus.csv"
    bad.write_text("kind,term,alternatives,note\nequivalent,мусор,отходы,\nsynonym,а,б,\nbroader,спорт,,\n", encoding="utf-8")
    monkeypatch.setenv("THESAURUS_FILE", str(bad))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["thesaurus"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "строка 3: вид «synonym» неизвестен" in result.output
    assert "строка 4: нужны термин и хотя бы одна замена" in result.output
    assert "строк 1," in result.output


ENGLISH = ("Usage", "Show this message", "Options", "Arguments", "Commands", "Missing", "Invalid value", "No such",
           "Error", "Try ", "<bool>", "<int", "<file>", "[OPTIONS]", "default:", "required]", "Input should", "does not")


@pytest.mark.parametrize(
    ("args", "russian"),
    [
        (("-h",), "Использование: practices [ПАРАМЕТРЫ] КОМАНДА"),
        (("--help",), "Показать эту справку и выйти."),
        (("import", "-h"), "Импортировать практики"),
        (("generate", "-h"), "Сколько практик создать"),
        (("create-admin", "-h"), "переменная окружения: ADMIN_PASSWORD"),
        (("import",), "Не указан аргумент «ФАЙЛ»."),
        (("import", "/no/such/file.jsonl"), "такого файла нет"),
        (("generate", "abc"), "Неверное значение «ЧИСЛО»: нужно целое число"),
        (("generate", "0"), "нужно число не меньше 1"),
        (("nosuch",), "Нет такой команды 'nosuch'."),
        (("import", "--bogus", "x"), "Нет такого параметра: --bogus"),
        (("export", "a", "b"), "Лишние аргументы: b"),
    ],
)
def test_the_command_speaks_russian(tmp_path: Path, args: tuple[str, ...], russian: str) -> None:
    result = run(tmp_path, *args, COLUMNS="200")
    output = " ".join((result.stdout + result.stderr).split())
    assert russian in output, output
    assert not [word for word in ENGLISH if word in output], output
    assert result.returncode == (0 if "-h" in args or "--help" in args else 2), output


def test_version(tmp_path: Path) -> None:
    from importlib.metadata import version

    for flag in ("--version", "-V"):
        result = run(tmp_path, flag)
        assert result.returncode == 0 and result.stderr.strip() == f"practices {version('practices')}"


def test_unsafe_production_settings_one_russian_line_each(tmp_path: Path) -> None:
    result = run(tmp_path, "migrate", ENVIRONMENT="production", DEBUG="true", SEARCH_BACKEND="meilisearch",
                 MEILI_API_KEY="short", PORT="80")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert [line.split(":", 2)[1].strip() for line in lines] == ["SECRET_KEY", "DEBUG", "MEILI_API_KEY", "DATABASE_URL", "BASE_URL"]
    assert all(line.startswith("Ошибка настройки: ") for line in lines)
    assert not any(word in result.stderr for word in ("must", "unsafe", "production settings"))
    wrong_type = run(tmp_path, "migrate", PORT="восемьдесят")
    assert wrong_type.returncode == 2 and wrong_type.stderr.strip() == "Ошибка настройки: PORT: нужно целое число"


def test_import_reads_excel_and_csv_by_extension(data_dir: Path, tmp_path: Path) -> None:
    from tests.catalogue.test_sheets import GOOD, xlsx

    bad = tmp_path / "сводка.xlsx"
    bad.write_bytes(xlsx([GOOD, ["аб", "Нарния", *GOOD[2:]]]))
    result = run(data_dir, "import", str(bad), COLUMNS="200")
    assert result.returncode == 1
    assert "лист «Практики», строка 3, столбец A «Название практики»: слишком коротко" in result.stderr
    assert "лист «Практики», строка 3, столбец B «Регион»: неизвестный регион «Нарния»" in result.stderr
    assert run(data_dir, "export", "--all").stdout == ""

    good = tmp_path / "сводка.csv"
    good.write_text("Название практики;Регион;Тип муниципального образования;Темы\n"
                    "Народный бюджет;Белгородская область;Городской округ;Муниципальные финансы\n", encoding="cp1251")
    assert run(data_dir, "import", str(good)).returncode == 0
    [pending] = [json.loads(line) for line in run(data_dir, "export", "--all").stdout.splitlines()]
    assert pending["status"] == "pending" and pending["region"] == "RU-BEL"  # to the moderators' queue
    other = tmp_path / "другая.xlsx"
    other.write_bytes(xlsx([["Школа старост", *GOOD[1:]]]))
    assert run(data_dir, "import", str(other), "--publish").returncode == 0
    assert [json.loads(line)["title"] for line in run(data_dir, "export").stdout.splitlines()] == ["Школа старост"]
    wrong = tmp_path / "сводка.docx"
    wrong.write_bytes(b"x")
    refused = run(data_dir, "import", str(wrong))
    assert refused.returncode == 1 and "Файл не прочитан: нужен файл .jsonl, .xlsx или .csv" in refused.stderr
