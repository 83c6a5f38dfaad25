"""The zone list as a tree: indented sub-zones and each parent's subtotal of its children."""

import re

from zoneops.enterprises.tests.factories import enterprise


def rows(html: str) -> dict[str, dict]:
    """zone code → {"depth", "figures": [text of each figure cell]} in page order."""
    found = {}
    for match in re.finditer(
        r'<tr class="zone-row[^"]*" data-zone="([^"]+)" data-depth="(\d+)">(.*?)</tr>', html, re.S
    ):
        cells = re.findall(r'class="text-end zone-figure"[^>]*>(.*?)</td>', match.group(3), re.S)
        found[match.group(1)] = {
            "depth": int(match.group(2)),
            "figures": [re.sub(r"<[^>]+>", "", c).strip() for c in cells],
        }
    return found


def test_zone_list_is_a_tree_with_parents_subtotals(client_for, users, zone_tree):
    enterprise(zone_tree["hitech"], 1, above_scale=True)
    enterprise(zone_tree["park"], 2)
    enterprise(zone_tree["park"], 3, above_scale=True)
    enterprise(zone_tree["beihu"], 4)
    enterprise(zone_tree["econ"], 5)  # outside the leader's zones
    response = client_for(users["leader"]).get("/zones/")
    html = response.content.decode()
    found = rows(html)
    assert list(found) == ["XQ", "GX", "GX-P1", "BH"]  # the tree's order
    assert [found[c]["depth"] for c in found] == [0, 1, 2, 1]
    # Enterprises, above scale: the new area's subtotal holds its children's, 高新区 its park's.
    assert found["XQ"]["figures"][:2] == ["4", "2"]
    assert found["GX"]["figures"][:2] == ["3", "2"]
    assert found["GX-P1"]["figures"][:2] == ["2", "1"]
    assert found["BH"]["figures"][:2] == ["1", "0"]
    assert "企业" in html and "四上企业" in html


def test_zone_tree_figures_take_constant_queries(
    client_for, users, zone_tree, django_assert_max_num_queries
):
    enterprise(zone_tree["hitech"], 9)
    client = client_for(users["admin"])
    client.get("/zones/")
    with django_assert_max_num_queries(30) as few:
        client.get("/zones/")
    for n in range(5):
        enterprise(zone_tree["park"], 10 + n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/zones/")
