"""Reading a PDF's accessibility back (pypdf): its tags, language, title and bookmarks.

What a screen reader or a PDF/UA checker reads, not what the page looks like: the catalog's
MarkInfo and StructTreeRoot (the tags), /Lang, the title and DisplayDocTitle, the PDF/UA part in
the XMP metadata, and the outline (bookmarks)."""

import io
from dataclasses import dataclass, field

import pypdf
from pypdf.generic import DictionaryObject


@dataclass
class Element:
    """One structure element: its type (H1, Table, TH, Figure …), its attributes, its children."""

    tag: str
    alt: str | None
    attributes: dict
    children: list["Element"] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, tag: str) -> list["Element"]:
        return [element for element in self.walk() if element.tag == tag]


@dataclass
class Accessibility:
    marked: bool
    lang: str | None
    title: str | None
    display_doc_title: bool
    pdfua_part: str | None
    tree: Element | None
    bookmarks: list[tuple[int, str]]  # (level, title) in reading order


def _element(node) -> Element:
    node = node.get_object()
    attributes = node.get("/A")
    attributes = dict(attributes.get_object()) if attributes is not None else {}
    element = Element(
        tag=str(node.get("/S", "")).lstrip("/"),
        alt=str(node["/Alt"]) if "/Alt" in node else None,
        attributes=attributes,
    )
    kids = node.get("/K", [])
    kids = kids if isinstance(kids, list) else [kids]
    for kid in kids:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, DictionaryObject) and kid.get("/Type") == "/StructElem":
            element.children.append(_element(kid))
    return element


def _bookmarks(outline, level=1) -> list[tuple[int, str]]:
    found = []
    for item in outline:
        if isinstance(item, list):
            found += _bookmarks(item, level + 1)
        else:
            found.append((level, item.title))
    return found


def read(data: bytes) -> Accessibility:
    reader = pypdf.PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    mark_info = catalog.get("/MarkInfo", {})
    preferences = catalog.get("/ViewerPreferences", {})
    tree_root = catalog.get("/StructTreeRoot")
    tree = None
    if tree_root is not None:
        kids = tree_root.get_object()["/K"]
        tree = _element(kids[0] if isinstance(kids, list) else kids)
    xmp = catalog["/Metadata"].get_object().get_data().decode() if "/Metadata" in catalog else ""
    part = None
    if 'pdfuaid:part="' in xmp:
        part = xmp.split('pdfuaid:part="', 1)[1].split('"', 1)[0]
    return Accessibility(
        marked=bool(mark_info.get("/Marked", False)),
        lang=str(catalog["/Lang"]) if "/Lang" in catalog else None,
        title=reader.metadata.title if reader.metadata else None,
        display_doc_title=bool(preferences.get("/DisplayDocTitle", False)),
        pdfua_part=part,
        tree=tree,
        bookmarks=_bookmarks(reader.outline),
    )


def assert_tables_have_header_rows(tree: Element, expected: int):
    """Every table is tagged as one, with a header row of TH cells, and every data cell points
    at the headers that describe it (WeasyPrint's Headers attribute from <th scope>).

    WeasyPrint tags page by page, so a table that runs onto the next page is two Table elements
    there; the header row repeats on each page (thead is a table-header-group), so each part
    still has its own. The tables are counted by their captions, which only the first part has."""
    tables = tree.find("Table")
    assert sum(1 for table in tables if table.find("Caption")) == expected
    for table in tables:
        heads = table.find("THead")
        assert len(heads) == 1
        header_row = heads[0].find("TR")[0]
        assert header_row.children and {c.tag for c in header_row.children} == {"TH"}
        for body in table.find("TBody"):
            for cell in body.find("TD"):
                assert len(cell.attributes.get("/Headers", [])) >= 1
