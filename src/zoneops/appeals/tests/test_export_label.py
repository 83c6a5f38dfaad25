"""The appeals export labels its columns as the page does (项目类别 was the projects' word)."""

import io

from django.utils import translation
from openpyxl import load_workbook


def test_category_column_is_labelled_as_on_the_page(client_for, users):
    with translation.override("zh-hans"):
        response = client_for(users["staff"]).get("/appeals/", {"export": "xlsx"})
        header = next(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.rows)
        labels = [c.value for c in header]
        assert "类别" in labels and "项目类别" not in labels
        page = client_for(users["staff"]).get("/appeals/").content.decode()
        assert "项目类别" not in page
