"""Cairn's own user-facing text, found file by file, for the checker.

What counts as user-facing:
- templates (*.html, *.txt under a templates/ folder): the text between tags and the
  attributes people read (title, alt, placeholder, aria-label, a button's value, a
  meta description); template tags, variables, comments, scripts and styles are not text;
- Python modules of the `cairn` package (not tests, not migrations): every string
  constant that can reach a person — messages, error texts (ValidationError,
  PermissionDenied, an API's detail), labels, help texts, choices, CSV and PDF
  headers, e-mails — which is every string literal except docstrings and single
  "words" that are keys or identifiers (no space: "drug_user", "user_id"), unless the
  string is a label (a choices label, `label=`, `verbose_name=`, `help_text=`,
  `description=`, `title=`);
- the JavaScript files Cairn ships (static/*.js): their string literals;
- the documentation people read to run Cairn: README.md and docs/**/*.md (fenced code
  blocks are not prose);
- data Cairn ships and shows (`shipped_data_texts`): the cells of CSV files and the
  strings of JSON files in a `data/` folder of the package — survey instruments, their
  catalogue — but not the demo's data (simulated user input and public datasets) nor the
  term list itself.

`scan(root)` returns every finding with its file and line; the test over Cairn's own
text (tests/test_language_of_cairn.py) fails on those that must be changed.
"""

import ast
import bisect
import csv
import html
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from cairn.campaigns.language.checker import Finding, check_text

LABEL_KEYWORDS = {
    "label",
    "verbose_name",
    "verbose_name_plural",
    "help_text",
    "description",
    "title",
    "summary",
    "detail",
    "message",
    "empty_label",
}
READABLE_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "value", "content", "summary")


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    text: str
    finding: Finding

    def describe(self) -> str:
        f = self.finding
        return f"{self.path}:{self.line}: '{f.matched}' ({f.label}) → '{f.suggestion}': {f.reason}"


def _blank(match: re.Match) -> str:
    """The same span as spaces, newlines kept, so offsets and line numbers stay put."""
    return re.sub(r"[^\n]", " ", match.group())


_TEMPLATE_NOISE = [
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"<script\b.*?</script>", re.S | re.I),
    re.compile(r"<style\b.*?</style>", re.S | re.I),
    re.compile(r"\{%.*?%\}", re.S),
    re.compile(r"\{\{.*?\}\}", re.S),
]
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>", re.S)
_ATTRIBUTE = re.compile(r"""([\w:\-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def template_text(source: str) -> str:
    """The text people read in a template, at the same offsets as in the source."""
    for pattern in _TEMPLATE_NOISE:
        source = pattern.sub(_blank, source)

    def keep_readable_attributes(tag: re.Match) -> str:
        text = tag.group()
        kept = [" "] * len(text)
        for i, char in enumerate(text):
            if char == "\n":
                kept[i] = "\n"
        for attribute in _ATTRIBUTE.finditer(text):
            if attribute.group(1).lower() in READABLE_ATTRIBUTES:
                group = 2 if attribute.group(2) is not None else 3
                start, end = attribute.span(group)
                kept[start:end] = text[start:end]
                # A separate sentence from the words around the tag.
                if end < len(kept) and kept[end] == " ":
                    kept[end] = "."
        return "".join(kept)

    source = _TAG.sub(keep_readable_attributes, source)
    # Entities (&rsquo; &ldquo;) decoded line by line: line numbers stay right.
    return "\n".join(html.unescape(line) for line in source.split("\n"))


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = getattr(node, "body", [])
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                ids.add(id(body[0].value))
    return ids


def _label_nodes(tree: ast.AST) -> set[int]:
    """String constants in label positions: keyword arguments named like a label, and
    the second item of a choices tuple (a class attribute `KEY = "value", "Label"`)."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in LABEL_KEYWORDS:
            for inner in ast.walk(node.value):
                if isinstance(inner, ast.Constant):
                    ids.add(id(inner))
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            label = node.elts[1]
            if isinstance(label, ast.Constant) and isinstance(label.value, str):
                ids.add(id(label))
    return ids


def python_strings(source: str) -> list[tuple[int, str]]:
    """(line, text) of every user-facing string constant in a module."""
    tree = ast.parse(source)
    docstrings = _docstring_nodes(tree)
    labels = _label_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if id(node) in docstrings:
            continue
        text = node.value
        if not re.search(r"[A-Za-z]{2}", text):
            continue
        if not re.search(r"\s", text.strip()) and id(node) not in labels:
            continue
        found.append((node.lineno, text))
    return found


_JS_STRING = re.compile(r"""(["'`])((?:\\.|(?!\1)[^\\\n])*)\1""")


def javascript_strings(source: str) -> list[tuple[int, str]]:
    found = []
    for match in _JS_STRING.finditer(source):
        text = match.group(2)
        if re.search(r"[A-Za-z]{2}", text) and re.search(r"\s", text.strip()):
            found.append((source.count("\n", 0, match.start()) + 1, text))
    return found


def _skip(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return any(p in ("tests", "migrations", "__pycache__", "vendor") for p in parts) or any(
        p.startswith(".") for p in parts
    )


_FENCED_CODE = re.compile(r"^```.*?^```", re.S | re.M)


def markdown_text(source: str) -> str:
    """The prose of a Markdown file, at the same offsets (fenced code blanked)."""
    return _FENCED_CODE.sub(_blank, source)


def user_facing_texts(root: Path):
    """(relative path, line, text) for every user-facing text: under root/cairn, and
    the documentation (line None: the text is the whole file, offsets kept)."""
    for path in [root / "README.md", *sorted((root / "docs").rglob("*.md"))]:
        if path.is_file():
            yield str(path.relative_to(root)), None, markdown_text(path.read_text("utf-8"))
    package = root / "cairn"
    for path in sorted(package.rglob("*")):
        if not path.is_file() or _skip(path, root):
            continue
        relative = str(path.relative_to(root))
        if path.suffix in (".html", ".txt") and "templates" in path.parts:
            source = path.read_text(encoding="utf-8")
            yield relative, None, template_text(source)
        elif path.suffix == ".py":
            for line, text in python_strings(path.read_text(encoding="utf-8")):
                yield relative, line, text
        elif path.suffix == ".js" and "static" in path.parts and ".min." not in path.name:
            for line, text in javascript_strings(path.read_text(encoding="utf-8")):
                yield relative, line, text


def scan(root: Path, terms=None) -> list[Hit]:
    """Every finding in Cairn's own user-facing text, with its file and line."""
    hits = []
    for relative, line, text in user_facing_texts(root):
        findings = check_text(text, terms)
        if not findings:
            continue
        if line is None:
            starts = [0] + [m.end() for m in re.finditer("\n", text)]
            for finding in findings:
                number = bisect.bisect_right(starts, finding.start)
                line_text = text[starts[number - 1] :].split("\n", 1)[0].strip()
                hits.append(Hit(relative, number, line_text, finding))
        else:
            for finding in findings:
                hits.append(Hit(relative, line + text.count("\n", 0, finding.start), text, finding))
    return hits


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def shipped_data_texts(root: Path):
    """(relative path, line, text) for each CSV cell and JSON string Cairn ships as data."""
    package = root / "cairn"
    skipped = (package / "demo", package / "campaigns" / "language" / "data")
    for path in sorted([*package.rglob("data/*.csv"), *package.rglob("data/*.json")]):
        if _skip(path, root) or any(path.is_relative_to(s) for s in skipped):
            continue
        relative = str(path.relative_to(root))
        source = path.read_text(encoding="utf-8")
        if path.suffix == ".csv":
            for number, row in enumerate(csv.reader(io.StringIO(source)), start=1):
                for cell in row:
                    if re.search(r"[A-Za-z]{2}", cell):
                        yield relative, number, cell
        else:
            for text in _json_strings(json.loads(source)):
                at = source.find(json.dumps(text, ensure_ascii=False)[1:-1][:40])
                yield relative, source.count("\n", 0, max(at, 0)) + 1, text


def scan_shipped_data(root: Path, terms=None) -> list[Hit]:
    return [
        Hit(relative, line, text, finding)
        for relative, line, text in shipped_data_texts(root)
        for finding in check_text(text, terms)
    ]
