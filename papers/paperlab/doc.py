"""A small document model, rendered twice: LaTeX (lessons.pdf) and Markdown
(lessons.md), so both say the same words and the same numbers.

Inline text is a list of pieces: a str is plain text; (kind, str) with kind `code`,
`b` (bold), `i` (italic) or `url`. Blocks: Heading, Para, Table, Figure, Verbatim,
Bullets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field


def inline(*pieces) -> list:
    return [p for p in pieces if p not in ("", None)]


def code(s) -> tuple:
    return ("code", str(s))


def bold(s) -> tuple:
    return ("b", str(s))


def ital(s) -> tuple:
    return ("i", str(s))


def url(s) -> tuple:
    return ("url", str(s))


@dataclass
class Heading:
    level: int                 # 1 section, 2 subsection, 3 paragraph heading
    text: str
    label: str = ""
    appendix: bool = False     # the first heading of the appendix


@dataclass
class Para:
    text: list


@dataclass
class Bullets:
    items: list                # each an inline list


@dataclass
class Verbatim:
    text: str                  # a rule or a command line: typewriter, may wrap


@dataclass
class Table:
    header: list               # column titles (str)
    rows: list                 # list of rows; a cell is str or an inline list
    caption: list              # inline
    align: str = ""            # one letter per column: l, r, or p (wrapping text)
    label: str = ""
    small: bool = True
    footnote: bool = False     # a wide table: footnote size
    widths: dict = field(default_factory=dict)   # column index -> width of a p column,
                                                 # as a fraction of the line


@dataclass
class Figure:
    path: str                  # the PDF for LaTeX
    md_path: str               # what the Markdown links to (an SVG or PNG of the run)
    caption: list


# ------------------------------------------------------------------ LaTeX

_TEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
        "#": r"\#", "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}",
        "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def tex_escape(s: str) -> str:
    return "".join(_TEX.get(c, c) for c in str(s))


def _tt(s: str) -> str:
    """Typewriter text that may break after / , ( and spaces."""
    out = []
    for c in str(s):
        out.append(tex_escape(c))
        if c in "/,(":
            out.append(r"\allowbreak{}")
    return r"\texttt{" + "".join(out) + "}"


def tex_inline(pieces) -> str:
    if isinstance(pieces, str):
        return tex_escape(pieces)
    if isinstance(pieces, tuple):
        pieces = [pieces]
    out = []
    for p in pieces:
        if isinstance(p, str):
            out.append(tex_escape(p))
        else:
            kind, s = p
            if kind == "code":
                out.append(_tt(s))
            elif kind == "b":
                out.append(r"\textbf{" + tex_escape(s) + "}")
            elif kind == "i":
                out.append(r"\emph{" + tex_escape(s) + "}")
            elif kind == "url":
                out.append(r"\url{" + s.replace("%", r"\%").replace("#", r"\#") + "}")
    return "".join(out)


def _colspec(t: Table) -> str:
    out = []
    for i, a in enumerate(t.align or "l" * len(t.header)):
        if a == "p":
            w = t.widths.get(i, 0.3)
            out.append(r">{\raggedright\arraybackslash}p{" + f"{w:.2f}" + r"\linewidth}")
        else:
            out.append(a)
    return "".join(out)


def tex_block(b) -> str:
    if isinstance(b, Heading):
        cmd = {1: "section", 2: "subsection", 3: "subsubsection"}[b.level]
        pre = "\\appendix\n" if b.appendix else ""
        lab = f"\\label{{{b.label}}}" if b.label else ""
        return f"{pre}\\{cmd}{{{tex_escape(b.text)}}}{lab}\n"
    if isinstance(b, Para):
        return tex_inline(b.text) + "\n"
    if isinstance(b, Bullets):
        items = "".join(f"  \\item {tex_inline(i)}\n" for i in b.items)
        return f"\\begin{{itemize}}\n{items}\\end{{itemize}}\n"
    if isinstance(b, Verbatim):
        return ("{\\small\\raggedright\\noindent " + _tt(b.text) + "\\par}\n")
    if isinstance(b, Table):
        head = " & ".join(r"\textbf{" + tex_escape(h) + "}" for h in b.header) + r" \\"
        # a row that starts with "[" would be read as the optional argument of the \\
        # ending the row above it
        rows = "\n".join(" & ".join(("{}" if i == 0 else "") + tex_inline(c)
                                     for i, c in enumerate(r)) + r" \\" for r in b.rows)
        size = "\\footnotesize" if b.footnote else "\\small" if b.small else ""
        lab = f"\\label{{{b.label}}}" if b.label else ""
        return (f"{{{size}\\setlength{{\\LTcapwidth}}{{\\linewidth}}\n"
                f"\\begin{{longtable}}{{{_colspec(b)}}}\n"
                f"\\caption{{{tex_inline(b.caption)}}}{lab}\\\\\n\\toprule\n{head}\n\\midrule\n"
                f"\\endfirsthead\n\\toprule\n{head}\n\\midrule\n\\endhead\n"
                f"{rows}\n\\bottomrule\n\\end{{longtable}}}}\n")
    if isinstance(b, Figure):
        return ("\\begin{figure}[H]\n\\centering\n"
                f"\\includegraphics[width=0.8\\linewidth]{{{b.path}}}\n"
                f"\\caption{{{tex_inline(b.caption)}}}\n\\end{{figure}}\n")
    raise TypeError(type(b))


def to_tex(blocks: list) -> str:
    return "\n".join(tex_block(b) for b in blocks)


# ------------------------------------------------------------------ Markdown

def md_escape(s: str) -> str:
    return re.sub(r"([\\`*_|<>\[\]])", r"\\\1", str(s))


def md_inline(pieces) -> str:
    if isinstance(pieces, str):
        return md_escape(pieces)
    if isinstance(pieces, tuple):
        pieces = [pieces]
    out = []
    for p in pieces:
        if isinstance(p, str):
            out.append(md_escape(p))
        else:
            kind, s = p
            if kind == "code":
                out.append("`" + s.replace("`", "'") + "`")
            elif kind in ("b", "i"):
                # emphasis may not end in a space in Markdown: the space goes after it
                mark = "**" if kind == "b" else "*"
                body = s.rstrip()
                out.append(mark + md_escape(body) + mark + s[len(body):])
            elif kind == "url":
                out.append(f"<{s}>")
    return "".join(out)


def md_block(b) -> str:
    if isinstance(b, Heading):
        return "#" * (b.level + 1) + " " + b.text + "\n"
    if isinstance(b, Para):
        return md_inline(b.text) + "\n"
    if isinstance(b, Bullets):
        return "".join(f"- {md_inline(i)}\n" for i in b.items)
    if isinstance(b, Verbatim):
        return "```\n" + b.text + "\n```\n"
    if isinstance(b, Table):
        align = b.align or "l" * len(b.header)
        sep = ["---:" if a == "r" else "---" for a in align]
        lines = [f"*{md_inline(b.caption)}*", "",
                 "| " + " | ".join(md_escape(h) for h in b.header) + " |",
                 "|" + "|".join(sep) + "|"]
        lines += ["| " + " | ".join(md_inline(c) for c in r) + " |" for r in b.rows]
        return "\n".join(lines) + "\n"
    if isinstance(b, Figure):
        return f"![{md_inline(b.caption)}]({b.md_path})\n\n*{md_inline(b.caption)}*\n"
    raise TypeError(type(b))


def to_md(blocks: list) -> str:
    return "\n".join(md_block(b) for b in blocks)
