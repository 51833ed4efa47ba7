"""What an uploaded file must be before any parser touches it.

An .xlsx is a zip of XML parts. Before openpyxl reads anything we look at the bytes (a PNG or an old
.xls renamed to .xlsx is named for what it is) and at the zip's directory: how many members, how
large each one says it is once unpacked, and how much it claims to grow. Python's zipfile never
unpacks more than a member's declared size (a member that lies fails its CRC check), so checking
the declared sizes bounds the memory and time a zip bomb could take. openpyxl parses the XML with
defusedxml (installed), which stops entity expansion attacks.
"""
from __future__ import annotations

import io
import re
import zipfile

from calendar_app.imports.report import ImportRefused

#: Largest upload accepted (the app's MAX_CONTENT_LENGTH is the outer bound).
MAX_FILE_BYTES = 8 * 1024 * 1024
#: Largest unpacked size of one part and of the whole workbook. 5,000 rows of nine columns are about
#: 2 MB of sheet XML; formatting and a few extra sheets stay far below these.
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 128 * 1024 * 1024
MAX_MEMBERS = 500
#: Sheet XML compresses well (about 10-30x; a column of one repeated value more). Beyond this
#: ratio a large member is a bomb, not a schedule.
MAX_RATIO = 200
_RATIO_APPLIES_ABOVE = 1024 * 1024

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"%PDF", "PDF 文档"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Excel（.xls）或 Word 文档：请在 Excel/WPS 中“另存为” .xlsx 后再上传"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
)


def _not_xlsx(what: str) -> ImportRefused:
    return ImportRefused(f"文件不是 Excel 工作簿（.xlsx）：{what}")


def check_xlsx(data: bytes) -> zipfile.ZipFile:
    """Refuse anything but a well-formed, reasonably sized .xlsx; return its opened zip."""
    if not data:
        raise ImportRefused("文件是空的（0 字节）")
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(f"文件过大：{len(data) / 1024 / 1024:.1f} MB（最大 {MAX_FILE_BYTES // 1024 // 1024} MB）")
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise _not_xlsx(f"看起来是{what}" if not what.startswith("旧版") else what)
    if not data.startswith(b"PK\x03\x04"):
        head = data[:512]
        if re.match(rb"\s*(BEGIN:VCALENDAR)", head, re.I):
            raise _not_xlsx("这是 iCalendar（.ics）日历文件，请使用“导入 .ics 日历”")
        if b"," in head or b"\t" in head:
            raise _not_xlsx("看起来是 CSV 或文本文件：请在 Excel/WPS 中“另存为” .xlsx 后再上传")
        raise _not_xlsx("无法识别的文件格式")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _not_xlsx("压缩结构已损坏") from None
    if len(members) > MAX_MEMBERS:
        raise ImportRefused(f"文件结构异常：包含 {len(members)} 个部件（最多 {MAX_MEMBERS} 个）")
    total = 0
    for info in members:
        if info.flag_bits & 0x1:
            raise ImportRefused("文件已加密（设有打开密码）：请取消密码后再上传")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _not_xlsx("使用了不支持的压缩方式")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES or \
                (info.file_size > _RATIO_APPLIES_ABOVE and ratio > MAX_RATIO):
            raise ImportRefused("文件解压后异常庞大（疑似“压缩炸弹”），已拒绝读取；请上传普通的 Excel 工作簿")
    names = {info.filename for info in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise _not_xlsx("这是 Word 文档（.docx）")
        if "content.xml" in names:
            raise _not_xlsx("这是 OpenDocument 文件（.ods/.odt）：请另存为 .xlsx")
        raise _not_xlsx("压缩包中没有 Excel 工作簿")
    return archive


_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?\"")


def merged_ranges(archive: zipfile.ZipFile, sheet_path: str) -> list[tuple[str, int, int]]:
    """The merged ranges of one worksheet part as (text, first row, last row)."""
    try:
        xml = archive.read(sheet_path)
    except KeyError:
        return []
    ranges = []
    for m in _MERGE_RE.finditer(xml):
        first = int(m.group(2))
        last = int(m.group(4)) if m.group(4) else first
        text = (m.group(1) + m.group(2) + (b":" + m.group(3) + m.group(4) if m.group(3) else b"")).decode("ascii")
        ranges.append((text, first, last))
    return ranges


_ROW_RE = re.compile(rb"<(?:\w+:)?row\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_VALUE_RE = re.compile(rb"<(?:\w+:)?(?:v|is)\b")


def sheet_over_limit(archive: zipfile.ZipFile, limit: int) -> bool:
    """Whether any worksheet has more than `limit` rows holding a value, counted on the XML itself.

    openpyxl's read-only mode walks a whole sheet to size it when the file has no <dimension> (files
    written by streaming writers), so a 100,000-row sheet must be refused before openpyxl sees it.
    Counting stops as soon as the limit is passed.
    """
    for info in archive.infolist():
        name = info.filename
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        xml = archive.read(name)
        if xml.count(b"row") <= limit:  # each row element has "row" in its tag: a cheap upper bound
            continue
        count = 0
        for m in _ROW_RE.finditer(xml):
            if m.group(1) and _VALUE_RE.search(m.group(1)):
                count += 1
                if count > limit:
                    return True
    return False
