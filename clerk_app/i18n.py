"""The translation layer.

Source strings are written in Simplified Chinese, the language of every counter this program
serves; ``_`` routes them through gettext so another language can be added as a catalog
without touching the code. Placeholders are always named: ``_("{name} 的办件").format(name=n)``.
"""

from __future__ import annotations

import gettext

from clerk_app.paths import resource

_translation: gettext.NullTranslations = gettext.NullTranslations()


def install(language: str | None = None) -> None:
    """Load the catalog for ``language`` (e.g. ``"en"``); Chinese needs none."""
    global _translation
    if not language or language.startswith("zh"):
        _translation = gettext.NullTranslations()
        return
    _translation = gettext.translation(
        "clerk_app", localedir=str(resource("locale")), languages=[language], fallback=True
    )


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)
