"""`read_table`: text columns, and one clear line for each kind of bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.errors import LeadscoreError
from connector.tables import read_table


def test_reads_text_columns_with_only_empty_as_missing(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeffid,jobtitle,note\n1,CEO,NA\n2,,null\n".encode())
    table = read_table(path)
    assert list(table.columns) == ["id", "jobtitle", "note"]
    assert table["id"].tolist() == ["1", "2"]
    assert table["note"].tolist() == ["NA", "null"]
    assert table["jobtitle"].isna().tolist() == [False, True]


def test_semicolon_files_are_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text('"age";"job"\n"56";"housemaid"\n', encoding="utf-8")
    assert read_table(path).to_dict("list") == {"age": ["56"], "job": ["housemaid"]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,name\n1,ok\n2,caf\xe9\n", "not UTF-8 text (byte 0xe9 on line 3)"),
        (b"", "the file is empty"),
        (b"id,name\n", "the file has a header but no rows"),
        (b"id,id\n1,2\n", "duplicate column names in the header: id"),
        (b"id,name\n1,a\n2,b,c\n", "malformed CSV"),
    ],
)
def test_bad_files_give_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(LeadscoreError) as caught:
        read_table(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LeadscoreError, match="no such file"):
        read_table(tmp_path / "none.csv")
