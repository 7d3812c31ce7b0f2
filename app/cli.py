"""The `practices` command: operate the catalogue."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.settings import Settings, get_settings

cli = typer.Typer(help="Каталог лучших муниципальных практик", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False
)
console = Console(stderr=True)


def _settings() -> Settings:
    try:
        return get_settings()
    except Exception as exc:  # pydantic ValidationError: say what is wrong, no traceback
        console.print(f"[red]Настройки неверны:[/red] {exc}")
        raise typer.Exit(2) from exc


def _engine():  # type: ignore[no-untyped-def]
    from app.db import get_engine

    return get_engine(_settings())


@contextmanager
def progress_bar(description: str, total: int | None):  # type: ignore[no-untyped-def]
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)


@cli.command()
def migrate() -> None:
    """Создать или обновить схему базы и справочники (регионы, темы, типы МО)."""
    from app.migrate import migrate as run

    counts = run(_engine())
    console.print("Схема обновлена; справочники: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@cli.command()
def seed() -> None:
    """Загрузить реальные практики из seed_data/ (только новые; правки модераторов не затираются)."""
    from app.catalogue.io import ImportFailed
    from app.catalogue.reference import SEED_DIR

    path = SEED_DIR / "practices.jsonl"
    try:
        report = _import(path, skip_bad=False, create_only=True)
    except ImportFailed as exc:
        console.print(f"[red]seed_data/practices.jsonl содержит ошибки:[/red]\n{exc}")
        raise typer.Exit(1) from exc
    console.print(f"Добавлено практик: {report.created}, уже были: {report.unchanged}")


def _import(path: Path, skip_bad: bool, create_only: bool = False):  # type: ignore[no-untyped-def]
    from app.catalogue.io import import_lines
    from app.db import session_scope
    from app.search import make_index
    from app.search.sync import drain_inline

    settings = _settings()
    engine = _engine()
    lines = path.read_text(encoding="utf-8").splitlines()
    index = make_index(settings) if settings.sync_inline else None
    after = (lambda: drain_inline(engine, index)) if index is not None else None
    with progress_bar(f"Импорт {path.name}", len(lines)) as advance, session_scope(engine, after) as session:
        return import_lines(session, lines, skip_bad=skip_bad, create_only=create_only, progress=advance)


@cli.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Файл JSON Lines")],
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Импортировать хорошие строки, пропустив ошибочные")] = False,
) -> None:
    """Импортировать практики из JSON Lines (проверяет каждую строку; повторный импорт не создаёт дублей)."""
    from app.catalogue.io import ImportFailed

    try:
        report = _import(file, skip_bad)
    except ImportFailed as exc:
        console.print(f"[red]Импорт отменён, база не изменена. Ошибки ({len(exc.errors)}):[/red]")
        for err in exc.errors:
            console.print(f"  {err}", markup=False)
        raise typer.Exit(1) from exc
    for err in report.errors:
        console.print(f"  пропущено: {err}", markup=False)
    console.print(
        f"Создано: {report.created}, обновлено: {report.updated}, без изменений: {report.unchanged}, "
        f"пропущено строк: {report.skipped}"
    )


@cli.command()
def export(
    file: Annotated[Path | None, typer.Argument(help="Файл JSON Lines (по умолчанию вывод на экран)")] = None,
    all_statuses: Annotated[bool, typer.Option("--all", help="Все статусы, не только опубликованные")] = False,
) -> None:
    """Выгрузить практики в JSON Lines."""
    from sqlmodel import Session

    from app.catalogue.io import export_records, write_jsonl
    from app.models import Status

    statuses = list(Status) if all_statuses else [Status.published]
    with Session(_engine()) as session:
        if file is None:
            n = write_jsonl(export_records(session, statuses), sys.stdout)
        else:
            with file.open("w", encoding="utf-8") as out:
                n = write_jsonl(export_records(session, statuses), out)
    console.print(f"Выгружено практик: {n}")


@cli.command()
def reindex() -> None:
    """Перестроить поисковый индекс из базы без остановки поиска."""
    from sqlalchemy import func
    from sqlmodel import Session, select

    from app.models import Practice, Status
    from app.search import make_index
    from app.search.sync import reindex as run

    engine = _engine()
    with Session(engine) as session:
        total = session.exec(select(func.count()).select_from(Practice).where(Practice.status == Status.published)).one()
    index = make_index(_settings())
    with progress_bar("Переиндексация", total) as advance:
        n = run(engine, index, progress=advance)
    console.print(f"В индексе документов: {n} ({index.name})")


@cli.command()
def sync(
    follow: Annotated[bool, typer.Option("--follow", help="Работать постоянно (воркер синхронизации)")] = False,
    interval: Annotated[float, typer.Option(help="Пауза между проверками, секунд")] = 1.0,
) -> None:
    """Применить к поисковому индексу ожидающие изменения (outbox)."""
    from app.search import make_index
    from app.search.sync import drain
    from app.search.sync import follow as run_follow

    engine, index = _engine(), make_index(_settings())
    if follow:
        console.print(f"Синхронизация запущена ({index.name}); Ctrl+C для остановки")
        try:
            run_follow(engine, index, interval=interval)
        except KeyboardInterrupt:
            return
    report = drain(engine, index)
    console.print(f"Применено: {report.applied} (добавлено/обновлено {report.upserted}, удалено {report.deleted})")
    if report.failed:
        console.print(f"[red]Не применено: {report.failed}; строки ждут повтора.[/red] {report.errors[0]}", markup=False)
        raise typer.Exit(1)


@cli.command()
def generate(
    count: Annotated[int, typer.Argument(min=1, max=2_000_000, help="Сколько практик создать")],
    seed: Annotated[int, typer.Option(help="Зерно генератора (одинаковое зерно — одинаковые данные)")] = 1,
    reindex_after: Annotated[bool, typer.Option("--reindex/--no-reindex", help="Перестроить индекс после")] = True,
) -> None:
    """Создать N синтетических практик для нагрузочных тестов (помечены как синтетические)."""
    from app.catalogue.synthetic import generate as run
    from app.db import session_scope

    engine = _engine()
    with progress_bar("Генерация", count) as advance, session_scope(engine) as session:
        n = run(session, count, seed=seed, progress=advance)
    console.print(f"Создано синтетических практик: {n}")
    if reindex_after:
        reindex()


@cli.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Argument(help="Имя модератора")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, envvar="ADMIN_PASSWORD", help="Пароль")
    ],
) -> None:
    """Создать модератора (или сменить ему пароль)."""
    from app.catalogue.admins import create_admin as run
    from app.db import session_scope

    try:
        with session_scope(_engine()) as session:
            run(session, username, password)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"Модератор «{username}» готов.")


@cli.command()
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
    )


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
