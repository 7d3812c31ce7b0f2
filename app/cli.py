"""The `practices` command: operate the catalogue."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import Engine

from app.russian_cli import RussianCommand, RussianGroup
from app.settings import DEV_SECRET, Settings, get_settings, settings_problems

if TYPE_CHECKING:
    from app.catalogue.practices.io import ImportReport
    from app.mail.sender import MailReport

cli = typer.Typer(
    cls=RussianGroup,
    help="Каталог лучших муниципальных практик: база, поиск, импорт и выгрузка.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        console.print(f"practices {version('practices')}", markup=False)
        raise typer.Exit()


@cli.callback()
def _options(
    _show_version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Показать версию и выйти.")
    ] = False,
) -> None:
    """Каталог лучших муниципальных практик: база, поиск, импорт и выгрузка."""


def _settings() -> Settings:
    from pydantic import ValidationError

    try:
        return get_settings()
    except ValidationError as exc:  # say what is wrong, one line a problem, no traceback
        for problem in settings_problems(exc):
            console.print(f"Ошибка настройки: {problem}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc


def _engine() -> Engine:
    from app.db import get_engine

    return get_engine(_settings())


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)


@cli.command(cls=RussianCommand)
def migrate() -> None:
    """Создать или обновить схему базы и справочники (регионы, темы, типы МО)."""
    from app.migrate import migrate as run

    counts = run(_engine())
    console.print("Схема обновлена; справочники: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@cli.command(cls=RussianCommand)
def seed() -> None:
    """Загрузить реальные практики из seed_data/ (только новые; правки модераторов не затираются)."""
    from app.catalogue.practices.io import ImportFailed
    from app.settings import SEED_DIR

    path = SEED_DIR / "practices.jsonl"
    try:
        report = _import(path, skip_bad=False, create_only=True)
    except ImportFailed as exc:
        console.print(f"[red]seed_data/practices.jsonl содержит ошибки:[/red]\n{exc}")
        raise typer.Exit(1) from exc
    console.print(f"Добавлено практик: {report.created}, уже были: {report.unchanged}")


def _import(path: Path, skip_bad: bool, create_only: bool = False, publish: bool = False,
            update_submitted: bool = False) -> ImportReport:
    from app.catalogue.practices.io import check_file, write_checked
    from app.catalogue.reference import ReferenceProvider
    from app.db import session_scope
    from app.models import Status
    from app.search import make_index
    from app.search.sync import after_bulk_write

    settings = _settings()
    engine = _engine()
    data = path.read_bytes()
    ref = ReferenceProvider(engine).get()
    checked = check_file(path.name, data, ref)
    with progress_bar(f"Импорт {path.name}", len(checked)) as advance, session_scope(engine) as session:
        report = write_checked(session, ref, checked, skip_bad=skip_bad, create_only=create_only,
                               new_status=Status.published if publish else Status.pending, progress=advance,
                               update_submitted=update_submitted)
    if settings.sync_inline:
        after_bulk_write(engine, make_index(settings), report.created + report.updated)
    return report


@cli.command("import", cls=RussianCommand)
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, metavar="ФАЙЛ",
                                         help="Файл JSON Lines (.jsonl), Excel (.xlsx) или CSV (.csv)")],
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Импортировать хорошие строки, пропустив ошибочные")] = False,
    publish: Annotated[bool, typer.Option("--publish", help="Опубликовать новые практики из таблицы сразу "
                                          "(без него они ждут модератора; в JSON Lines статус указан в строке)")] = False,
    update_submitted: Annotated[bool, typer.Option("--update-submitted", help="Обновлять и практики, присланные "
                                                   "через форму (без него такие строки — ошибка)")] = False,
) -> None:
    """Импортировать практики из JSON Lines, Excel или CSV: сначала проверяется каждая строка, все ошибки
    сразу; файл с ошибками ничего не меняет; повторный импорт не создаёт дублей."""
    from app.catalogue.practices.io import ImportFailed
    from app.catalogue.practices.sheets import SheetError

    try:
        report = _import(file, skip_bad, publish=publish, update_submitted=update_submitted)
    except SheetError as exc:
        console.print(f"Файл не прочитан: {exc}", markup=False)
        raise typer.Exit(1) from exc
    except ImportFailed as exc:
        console.print(f"[red]Импорт отменён, база не изменена. Ошибки ({len(exc.errors)}):[/red]")
        for err in exc.errors:
            console.print(f"  {err}", markup=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    for err in report.errors:
        console.print(f"  пропущено: {err}", markup=False, soft_wrap=True)
    console.print(
        f"Создано: {report.created}, обновлено: {report.updated}, без изменений: {report.unchanged}, "
        f"пропущено строк: {report.skipped}"
    )


@cli.command(cls=RussianCommand)
def export(
    file: Annotated[Path | None, typer.Argument(metavar="ФАЙЛ", help="Файл JSON Lines (по умолчанию вывод на экран)")] = None,
    all_statuses: Annotated[bool, typer.Option("--all", help="Все статусы, не только опубликованные")] = False,
) -> None:
    """Выгрузить практики в JSON Lines."""
    from sqlmodel import Session

    from app.catalogue.practices import queries
    from app.catalogue.practices.io import export_records, write_jsonl
    from app.models import Status

    statuses = list(Status) if all_statuses else [Status.published]
    with Session(_engine()) as session:
        if file is None:
            n = write_jsonl(export_records(session, statuses), sys.stdout)
        else:
            total = queries.count(session, statuses)
            with progress_bar(f"Выгрузка в {file.name}", total) as advance, file.open("w", encoding="utf-8") as out:
                n = write_jsonl(export_records(session, statuses), out, progress=advance)
    console.print(f"Выгружено практик: {n}")


@cli.command(cls=RussianCommand)
def reindex() -> None:
    """Перестроить поисковый индекс из базы без остановки поиска."""
    from sqlmodel import Session

    from app.catalogue.practices import queries
    from app.search import make_index
    from app.search.sync import reindex as run

    engine = _engine()
    with Session(engine) as session:
        total = queries.count(session)
    settings = _settings()
    index = make_index(settings)
    with progress_bar("Переиндексация", total) as advance:
        n = run(engine, index, progress=advance)
    console.print(f"В индексе документов: {n} ({settings.search_backend})")


@cli.command(cls=RussianCommand)
def sync(
    follow: Annotated[bool, typer.Option("--follow", help="Работать постоянно (воркер синхронизации)")] = False,
    interval: Annotated[float, typer.Option(help="Пауза между проверками, секунд")] = 1.0,
) -> None:
    """Применить к поисковому индексу ожидающие изменения (outbox) и отправить ждущие письма."""
    from app.mail.sender import Mailer
    from app.search import make_index
    from app.search.sync import drain
    from app.search.sync import follow as run_follow

    settings = _settings()
    engine, index = _engine(), make_index(settings)
    mailer = Mailer.from_settings(engine, settings)
    if follow:
        console.print(f"Синхронизация запущена ({settings.search_backend}, почта: {mailer.transport.name}); "
                      "Ctrl+C для остановки")
        try:
            run_follow(engine, index, interval=interval, beside=[lambda: _sent(mailer.drain())])
        except KeyboardInterrupt:
            return
    report = drain(engine, index)
    console.print(f"Применено: {report.applied} (добавлено/обновлено {report.upserted}, удалено {report.deleted})")
    mail = mailer.drain()
    console.print(f"Писем отправлено: {mail.sent}, отложено: {mail.retried}, отклонено сервером: {mail.refused}")
    if report.failed or mail.retried:
        first = (report.errors or mail.errors)[0]
        console.print(f"[red]Не всё применено или отправлено; строки ждут повтора.[/red] {first}", markup=False)
        raise typer.Exit(1)


def _sent(report: MailReport) -> int:
    return report.sent + report.refused + report.retried


@cli.command(cls=RussianCommand)
def generate(
    count: Annotated[int, typer.Argument(min=1, max=2_000_000, metavar="ЧИСЛО", help="Сколько практик создать")],
    seed: Annotated[int, typer.Option(help="Зерно генератора (одинаковое зерно — одинаковые данные)")] = 1,
    reindex_after: Annotated[bool, typer.Option("--reindex/--no-reindex", help="Перестроить индекс после")] = True,
) -> None:
    """Создать N синтетических практик для нагрузочных тестов (помечены как синтетические)."""
    from app.catalogue.practices.synthetic import generate as run
    from app.db import session_scope

    engine = _engine()
    with progress_bar("Генерация", count) as advance, session_scope(engine) as session:
        n = run(session, count, seed=seed, progress=advance)
    console.print(f"Создано синтетических практик: {n}")
    if reindex_after:
        reindex()


@cli.command(cls=RussianCommand)
def thesaurus() -> None:
    """Проверить тезаурус поиска (THESAURUS_FILE): ошибочные строки и число групп."""
    from app.search import thesaurus as thesauri

    settings = _settings()
    rows, errors = thesauri.rows_of(settings.thesaurus_file)
    for error in errors:
        console.print(f"  строка {error.line}: {error.message}", markup=False)
    groups = thesauri.build(rows)
    console.print(f"{settings.thesaurus_file.name}: строк {len(rows)}, фраз со связями {len(groups)}, ошибок {len(errors)}")
    if errors:
        raise typer.Exit(1)
    console.print("Применить изменения: `practices reindex`.")


@cli.command("create-admin", cls=RussianCommand)
def create_admin(
    username: Annotated[str, typer.Argument(metavar="ИМЯ", help="Имя модератора")],
    password: Annotated[
        str | None, typer.Option(envvar="ADMIN_PASSWORD", metavar="ПАРОЛЬ", help="Пароль (без него команда спросит его дважды)")
    ] = None,
) -> None:
    """Создать модератора (или сменить ему пароль)."""
    import getpass

    from app.catalogue.moderators import create_admin as run
    from app.db import session_scope

    if password is None:
        password = getpass.getpass("Пароль: ")
        if getpass.getpass("Пароль ещё раз: ") != password:
            console.print("Пароли не совпадают; модератор не создан.")
            raise typer.Exit(2)
    try:
        with session_scope(_engine()) as session:
            run(session, username, password)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"Модератор «{username}» готов.")


@cli.command(cls=RussianCommand)
def check() -> None:
    """Показать настройки и проверить базу, миграции и поисковый движок."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlmodel import Session

    from app.mail.outbox import mail_status
    from app.migrate import alembic_config
    from app.search import make_index
    from app.search.sync import outbox_status

    settings = _settings()
    secret = {"secret_key", "meili_api_key", "database_url", "smtp_url", "metrics_token"}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if name in secret and value:
            value = _mask_url(str(value)) if name in ("database_url", "smtp_url") else "***"
        console.print(f"{name.upper():22} {value}", markup=False)
    problems: list[str] = []
    engine = _engine()
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        head = ScriptDirectory.from_config(alembic_config(settings.resolved_database_url)).get_current_head()
        if current != head:
            problems.append(f"схема базы {current or 'пуста'}, нужна {head}: выполните `practices migrate`")
        with Session(engine) as session:
            lag = outbox_status(session)
            mail = mail_status(session)
        console.print(f"outbox: ожидают {lag.pending}, старейшая {lag.oldest_age:.0f} с, с ошибками {lag.failing}")
        console.print(f"почта ({'SMTP' if settings.smtp_url else f'файлы .eml в {settings.mail_dir}'}): "
                      f"ждут {mail.pending}, старейшее {mail.oldest_age:.0f} с, с ошибками {mail.failing}, "
                      f"отклонены сервером {mail.failed}", markup=False)
    except Exception as exc:  # report any database failure as a problem, not a traceback
        problems.append(f"база данных недоступна: {type(exc).__name__}: {exc}".splitlines()[0])
    index = make_index(settings)
    if not index.health():
        problems.append(f"поисковый движок {settings.search_backend} недоступен")
    if settings.environment != "production" and settings.secret_key == DEV_SECRET:
        console.print("замечание: SECRET_KEY по умолчанию годится только для разработки")
    for problem in problems:
        console.print(f"[red]ошибка:[/red] {problem}")
    if problems:
        raise typer.Exit(1)
    console.print("Всё в порядке.")


def _mask_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL: show nothing of it
        return "***"


@cli.command(cls=RussianCommand)
def serve(
    reload: Annotated[bool, typer.Option("--reload", help="Перезапуск при изменении кода")] = False,
) -> None:
    """Запустить веб-сервис (HOST и PORT из окружения)."""
    import uvicorn

    settings = _settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=None if reload else settings.workers,
        reload=reload,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        access_log=False,  # app.observability writes one JSON line per request instead
    )


def main() -> None:
    cli(prog_name="practices")  # also when run as `python -m app.cli`


if __name__ == "__main__":
    main()
