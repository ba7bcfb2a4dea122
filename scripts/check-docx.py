"""Checks each agenda item's Word document against its draft (the JSON `kadence dagsorden` printed)
with readers that did not write it: python-docx for the structure, LibreOffice's PDF (as text, by
pdftotext) for what a reader sees. Exits non-zero with every difference listed."""

import json
import pathlib
import re
import sys

import docx
from docx.oxml.ns import qn

problems = []


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def squeeze(s):
    """Without white space and hyphens: a narrow table cell wraps a long word ("Fuldtids" and
    "personer" on two lines), a line may break after a date's dash, and pdftotext joins a line
    ending in a hyphen to the next without it."""
    return re.sub(r"[\s\-]+", "", s)


def check(json_path):
    stem = json_path.with_suffix("")
    draft = json.loads(json_path.read_text(encoding="utf-8"))
    name = stem.name + f" ({json_path.parent.name})"
    d = docx.Document(str(stem) + ".docx")
    pdf = squeeze(pathlib.Path(str(stem) + ".txt").read_text(encoding="utf-8"))

    def fail(what):
        problems.append(f"{name}: {what}")

    # Headings: the title in "Title", every section and "Kilder" in "Heading 1", in order.
    styled = [(p.style.name, p.text) for p in d.paragraphs]
    titles = [t for s, t in styled if s == "Title"]
    if titles != [draft["title"]]:
        fail(f"the title in style Title: {titles}")
    headings = [t for s, t in styled if s == "Heading 1"]
    want = [s["heading"] for s in draft["sections"]] + ["Kilder"]
    if headings != want:
        fail(f"the Heading 1 paragraphs {headings} are not the sections {want}")
    body = [t for _, t in styled]
    for s in draft["sections"]:
        for p in s["paragraphs"]:
            if p not in body:
                fail(f"paragraph missing: {p}")
    # Tables: real Word tables, cell by cell.
    tables = [t for s in draft["sections"] for t in s["tables"]]
    if len(d.tables) != len(tables):
        fail(f"{len(d.tables)} Word tables, the draft has {len(tables)}")
    for t, w in zip(tables, d.tables):
        cells = [[c.text for c in r.cells] for r in w.rows]
        if cells != [t["header"]] + t["rows"]:
            fail(f"table «{t['caption']}» differs: {cells[:2]} ...")
    # Images: each chart with its alternative text.
    alts = [c["alt"] for s in draft["sections"] for c in s["charts"]]
    found = [e.get("descr") for e in d.element.body.iter(qn("wp:docPr"))]
    if found != alts:
        fail(f"the images' alternative texts {found} are not the charts' {alts}")
    # Header with the municipality and the meeting date; the page number in the footer.
    sec = d.sections[0]
    header = " ".join(p.text for p in sec.header.paragraphs)
    meeting = draft["meeting"]
    if draft["municipality"] not in header or "Møde" not in header:
        fail(f"the header «{header}» lacks the municipality or the meeting")
    if meeting and "-".join(reversed(meeting.split("-"))) not in header:
        fail(f"the header «{header}» lacks the meeting date {meeting}")
    footer_xml = sec.footer._element.xml
    if "PAGE" not in footer_xml:
        fail("no page number field in the footer")
    # What LibreOffice shows: every heading, paragraph and table cell in the PDF's text.
    for text in [draft["title"]] + want + [p for s in draft["sections"] for p in s["paragraphs"]]:
        if squeeze(text) not in pdf:
            fail(f"not in LibreOffice's PDF: {text}")
    for t in tables:
        for row in [t["header"]] + t["rows"]:
            for cell in row:
                if squeeze(cell) not in pdf:
                    fail(f"table cell not in LibreOffice's PDF: {cell}")
    return 1


checked = 0
for folder in sys.argv[1:]:
    for j in sorted(pathlib.Path(folder).glob("*.json")):
        checked += check(j)
if checked != 6:
    problems.append(f"{checked} documents checked, expected 6 (3 kinds x 2 profiles)")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"{checked} agenda documents read by python-docx and LibreOffice: headings, tables, images, header and footer as drafted")
