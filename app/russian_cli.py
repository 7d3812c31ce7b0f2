"""The `practices` command speaks Russian: Typer's own words (help headings, the help option, the
usage line, usage errors) in Russian.

Typer carries its own copy of Click with its messages written in English in the code; the few it
marks for gettext are translated only under a Russian locale from compiled catalogues, and
servers often run with `LANG=C`. So the command's classes (`RussianGroup`, `RussianCommand`) say
these things themselves: they set the help option's text and the usage line, and `main` turns a
usage error into a Russian message before Typer prints it. `use_russian` sets the panel titles
Typer computes once on import; it runs when the command starts, never on import.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
import typer.core
import typer.rich_utils
from pydantic import ValidationError
from typer._click import exceptions as click_errors  # Typer's copy of Click: its usage errors
from typer.core import TyperCommand, TyperGroup

OPTIONS_METAVAR = "[ПАРАМЕТРЫ]"
SUBCOMMAND_METAVAR = "КОМАНДА [АРГУМЕНТЫ]..."
HELP_TEXT = "Показать эту справку и выйти."
# What Typer marks for gettext (typer.core) and the titles of its help panels (typer.rich_utils).
GETTEXT: dict[str, str] = {
    "Missing command.": "Не указана команда.",
    "No such command {name!r}.": "Нет такой команды {name!r}.",
    "Aborted!": "Прервано.",
    "default: {default}": "по умолчанию: {default}",
    "env var: {var}": "переменная окружения: {var}",
    "required": "обязательно",
    "(dynamic)": "(вычисляется)",
    "Arguments": "Аргументы",
    "Options": "Параметры",
    "Commands": "Команды",
}
TYPER_TITLES = {
    "ARGUMENTS_PANEL_TITLE": "Аргументы",
    "OPTIONS_PANEL_TITLE": "Параметры",
    "COMMANDS_PANEL_TITLE": "Команды",
    "ERRORS_PANEL_TITLE": "Ошибка",
    "ABORTED_TEXT": "Прервано.",
    "RICH_HELP": "Справка: [blue]«{command_path} {help_option}»[/].",
    "DEFAULT_STRING": "[по умолчанию: {}]",
    "ENVVAR_STRING": "[переменная окружения: {}]",
    "REQUIRED_LONG_STRING": "[обязательно]",
    "DEPRECATED_STRING": "(устарело) ",
}
# Messages Typer builds in English, as patterns -> Russian.
MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Got unexpected extra argument\(s\) \((.*)\)$", re.S), r"Лишние аргументы: \1"),
    (re.compile(r"^Option '(.*)' does not take a value\.$"), r"Параметр «\1» не принимает значения."),
    (re.compile(r"^Option '(.*)' requires (?:an argument|\d+ arguments)\.$"), r"Параметру «\1» нужно значение."),
    (re.compile(r"^(?:file|path|directory) '(.*)' does not exist\.$", re.I), r"«\1»: такого файла нет."),
    (re.compile(r"^(?:file|path) '(.*)' is a directory\.$", re.I), r"«\1» — папка, а нужен файл."),
    (re.compile(r"^(?:file|path|directory) '(.*)' is not readable\.$", re.I), r"«\1»: нет прав на чтение."),
    (re.compile(r"^Value (.*) is not a valid (\w+)\.$"), r"\1: неверное значение."),
    (re.compile(r"^(.*) is not one of (.*)\.$"), r"\1: допустимо одно из \2."),
)


# The type column of the help (Typer's `<int>`, `<bool>`…): in Russian, nothing for a flag.
TYPE_NAMES: dict[str, str | None] = {
    "<bool>": None, "<int>": "<число>", "<int range>": "<число>", "<float>": "<число>", "<float range>": "<число>",
    "<str>": "<текст>", "<text>": "<текст>", "<file>": "<файл>", "<path>": "<путь>", "<directory>": "<папка>",
}


def translate(message: str) -> str:
    for pattern, russian in MESSAGES:
        if pattern.match(message):
            return pattern.sub(russian, message)
    return GETTEXT.get(message, message)


def _hint(exc: click_errors.BadParameter) -> str:
    hint = exc.param_hint if exc.param_hint is not None else exc.param.get_error_hint() if exc.param else ""
    text = hint if isinstance(hint, str) else " / ".join(hint)
    return text.replace("'", "«", 1)[::-1].replace("'", "»", 1)[::-1] if text.count("'") == 2 else text


def russian_error(exc: click_errors.ClickException) -> str:
    """A usage error as the user reads it, in Russian."""
    from app.validation import russian_message

    if isinstance(exc, click_errors.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param else "parameter")
        return f"Не указан {'аргумент' if kind == 'argument' else 'параметр'} {_hint(exc)}."
    if isinstance(exc, click_errors.BadParameter):
        cause = exc.__cause__
        if isinstance(cause, ValidationError):
            message = "; ".join(dict.fromkeys(russian_message(e) for e in cause.errors()))
        else:
            message = translate(exc.message)
        return f"Неверное значение {_hint(exc)}: {message}" if _hint(exc) else f"Неверное значение: {message}"
    if isinstance(exc, click_errors.NoSuchOption):
        text = f"Нет такого параметра: {exc.option_name}"
        return text + (f" (может быть, {', '.join(sorted(exc.possibilities))}?)" if exc.possibilities else "")
    return translate(exc.format_message())


def use_russian() -> None:
    """Typer's gettext-marked words and its help panels' titles, in Russian."""
    for module in (typer.core, typer.rich_utils):
        module._ = lambda message: GETTEXT.get(message, message)  # type: ignore[attr-defined]  # the module's gettext alias
    for name, text in TYPER_TITLES.items():
        setattr(typer.rich_utils, name, text)


class _Russian:
    """What a command and the group share: the help option's text and the usage line."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]  # the Typer class beside this one in the MRO
        if option is not None:
            option.help = HELP_TEXT
        return option

    def get_params(self, ctx: Any) -> Any:
        params = super().get_params(ctx)  # type: ignore[misc]  # as above
        for param in params:
            if not getattr(param, "russian_type", False):
                english = param.display_type_rich
                param.display_type_rich = lambda ctx, english=english: TYPE_NAMES.get(english(ctx), english(ctx))
                param.russian_type = True
        return params

    def get_usage(self, ctx: Any) -> str:
        usage: str = super().get_usage(ctx)  # type: ignore[misc]  # as above
        return usage.replace("Usage: ", "Использование: ", 1)


class RussianCommand(_Russian, TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["options_metavar"] = OPTIONS_METAVAR
        super().__init__(*args, **kwargs)


class RussianGroup(_Russian, TyperGroup):
    """The `practices` group: Russian from the start, and its usage errors in Russian."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["options_metavar"] = OPTIONS_METAVAR
        kwargs["subcommand_metavar"] = SUBCOMMAND_METAVAR
        super().__init__(*args, **kwargs)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, windows_expand_args: bool = True, **extra: Any) -> Any:
        use_russian()
        run = {"args": args, "prog_name": prog_name, "complete_var": complete_var,
               "windows_expand_args": windows_expand_args, **extra}
        if not standalone_mode:
            return super().main(standalone_mode=False, **run)
        try:
            code = super().main(standalone_mode=False, **run)
        except click_errors.ClickException as exc:
            text = russian_error(exc)
            exc.format_message = lambda: text  # type: ignore[method-assign]  # what Typer's error panel prints
            typer.rich_utils.rich_format_error(exc)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.rich_utils.rich_abort_error()
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)
