"""The translation catalogues guard English: every UI string extracted from the code and templates has a
non-fuzzy English translation, the compiled .mo is the .po's, and translations keep their placeholders
and markup. The pages themselves are checked in test_safety_and_language.py and
tests/notifications/test_pages_in_english.py (no Chinese UI text on an English page).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "calendar_app" / "translations"
ENGLISH_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
ENGLISH_MO = ENGLISH_PO.with_suffix(".mo")
#: Directories `scripts/translations extract` skips (--ignore-dirs); everything else under the root is walked.
SKIPPED_DIRS = {"_build", "__pycache__", "node_modules", "instance"}


def _english():
    with ENGLISH_PO.open("rb") as po:
        return read_po(po, locale="en")


def _extracted_ids() -> set[str]:
    """What `pybabel extract -F babel.cfg -k lazy_gettext` finds, through Babel's own extraction API."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)

    def walk_into(path: str) -> bool:
        name = os.path.basename(path)
        return not name.startswith(".") and name not in SKIPPED_DIRS

    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None}
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords, directory_filter=walk_into):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_string_in_code_and_templates_has_an_english_translation():
    ids = _extracted_ids()
    # Templates, macros (a directory starting with "_"), Python gettext calls, N_ marks in models, lazy labels.
    assert {"跳到主要内容", "%(name)s · %(n)s 个镇街", "参数有误：%(name)s", "文艺演出", "接收方式"} <= ids
    english = _english()
    missing = sorted(i for i in ids if i not in english or not english[i].string)
    fuzzy = sorted(m.id for m in english if m.id and m.fuzzy)
    assert missing == [] and fuzzy == [], "run scripts/translations extract, then translate in messages.po"
    assert not english.fuzzy  # a fuzzy header would stop pybabel compile


def test_the_template_catalogue_lists_what_the_code_uses():
    with (TRANSLATIONS / "messages.pot").open("rb") as pot:
        template = {m.id for m in read_po(pot) if m.id}
    assert template == _extracted_ids(), "messages.pot is stale: run scripts/translations extract"


def test_the_compiled_catalogue_is_the_po_compiled():
    english = {m.id: m.string for m in _english() if m.id and m.string and not m.fuzzy}
    with ENGLISH_MO.open("rb") as mo:
        compiled = {m.id: m.string for m in read_mo(mo) if m.id}
    assert compiled == english, "messages.mo is stale: run scripts/translations compile (scripts/setup does)"


def test_translations_keep_placeholders_and_markup_and_are_safe_in_attributes():
    english = _english()
    # Babel's own checks: the same %(name)s placeholders as the msgid, no unknown ones.
    assert [(m.id, errors) for m, errors in english.check()] == []
    tag = re.compile(r"<[^>]*>")
    for message in english:
        if not message.id:
            continue
        # Jinja's _() trusts the catalogue as markup: only the msgid's own tags, no quote that could end
        # an attribute, no bare & that could start an entity.
        assert sorted(tag.findall(message.string)) == sorted(tag.findall(message.id)), message.id
        assert '"' not in message.string and '"' not in message.id, message.id
        assert not re.search(r"&(?![ ]|amp;)", message.string), message.id


def test_templates_translate_only_literal_text():
    """`_()` of a variable would trust it as markup (and miss extraction): text made elsewhere uses translate()."""
    call = re.compile(r"\b_\(\s*([^\s)])")
    for path in (ROOT / "templates").rglob("*.html"):
        for match in call.finditer(path.read_text(encoding="utf-8")):
            assert match.group(1) in "\"'", (path.name, match.group(0))
