#!/usr/bin/env python3
"""Turns docs/manual.md into the man page pipe.1 (roff, man macros).

Usage: make-man.py MANUAL.md OUTPUT.1

Only the Markdown that manual.md uses is understood: `#` headings, paragraphs, `-` and `1.`
lists (with indented continuation lines), fenced code blocks (also inside list items), tables,
`code` spans, **bold** and [links](target). Anything else passes through as plain text.
"""
import re
import sys


def escape(text):
    """Escapes roff's special characters in running text."""
    text = text.replace("\\", "\\e")
    # Non-ASCII characters as groff's named Unicode escapes: the page then needs no preconv.
    text = "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in text)
    # A dash-dash option must print as ASCII minus signs, so it can be copied into a shell.
    return text.replace("-", "\\-")


def inline(text):
    """Converts code spans, bold and links of one line of running text to roff fonts."""
    out = []
    # Code spans first: nothing inside them is Markdown.
    for index, part in enumerate(re.split(r"`([^`]*)`", text)):
        if index % 2 == 1:
            out.append("\\fB" + escape(part) + "\\fR")
            continue
        part = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", part)  # a link keeps only its text
        pieces = re.split(r"\*\*([^*]+)\*\*", part)
        for piece_index, piece in enumerate(pieces):
            piece = escape(piece)
            out.append("\\fB" + piece + "\\fR" if piece_index % 2 == 1 else piece)
    return "".join(out)


def text_block(lines):
    """A paragraph or list item as one roff text line: a code span may continue on the next
    Markdown line, and roff fills the text anyway. A leading dot or quote would be read as a
    request."""
    line = inline(" ".join(line.strip() for line in lines))
    return "\\&" + line if line[:1] in (".", "'") else line


def code_line(line):
    line = escape(line)
    return "\\&" + line if line[:1] in (".", "'") else line


def longest_word(rows, column):
    """The width a narrow column needs so that none of its words has to be broken."""
    return max(len(word) for row in rows for word in re.sub(r"[`*]", "", row[column]).split())


def table_cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def convert(lines):
    out = []
    title = lines[0].lstrip("#").strip()
    name, _, summary = title.partition("—")
    name = name.strip().split("(")[0]
    out.append('.TH %s 1 "" "%s" "User Commands"' % (name.upper(), name))
    out.append(".SH NAME")
    out.append("%s \\- %s" % (name, escape(summary.strip())))

    index = 1
    block = []  # the Markdown lines of the paragraph or list item being read
    def flush():
        if block:
            out.append(text_block(block))
            block.clear()

    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        index += 1
        if stripped.startswith("```"):
            in_list = bool(block) and out[-1].startswith(".IP")
            flush()
            indent = line[: len(line) - len(line.lstrip())]
            out.append(".RS" if in_list else ".PP")
            out.append(".nf")
            while index < len(lines) and not lines[index].strip().startswith("```"):
                code = lines[index]
                out.append(code_line(code[len(indent):] if code.startswith(indent) else code))
                index += 1
            index += 1  # the closing fence
            out.append(".fi")
            if in_list:
                out.append(".RE")
            continue
        if not stripped:
            flush()
            continue
        if stripped.startswith("#"):
            flush()
            level = len(stripped) - len(stripped.lstrip("#"))
            heading = inline(stripped.lstrip("#").strip())
            out.append('.SH "%s"' % heading.upper() if level <= 2 else '.SS "%s"' % heading)
            continue
        if stripped.startswith("|"):
            flush()
            rows = [table_cells(line)]
            while index < len(lines) and lines[index].strip().startswith("|"):
                if not re.fullmatch(r"[|\-: ]+", lines[index].strip()):  # skip the |---| rule
                    rows.append(table_cells(lines[index]))
                index += 1
            # The column with the most text takes the width the others leave; cells are not
            # justified (narrow justified columns only make gaps and warnings).
            widest = max(range(len(rows[0])), key=lambda column: sum(len(row[column]) for row in rows))
            out.append(".na")
            out.append(".TS")
            out.append("tab(\t);")
            out.append(" ".join("lb" for _ in rows[0]))
            out.append(" ".join("lx" if column == widest else "lw(%dn)" % longest_word(rows, column)
                                for column in range(len(rows[0]))) + ".")
            for row in rows:
                out.append("\t".join("T{\n" + inline(cell) + "\nT}" for cell in row))
            out.append(".TE")
            out.append(".ad")
            continue
        item = re.match(r"(- |\d+\. )(.*)", line)
        if item:
            flush()
            marker = "\\(bu" if item.group(1) == "- " else item.group(1).strip()
            out.append('.IP "%s" 4' % marker)
            block.append(item.group(2))
            continue
        if not block:
            out.append(".PP")
        block.append(line)
    flush()
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make-man.py MANUAL.md OUTPUT.1")
    with open(sys.argv[1], encoding="utf-8") as source:
        lines = source.read().splitlines()
    with open(sys.argv[2], "w", encoding="utf-8") as target:
        target.write("\n".join(convert(lines)) + "\n")


if __name__ == "__main__":
    main()
