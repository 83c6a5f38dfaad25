import datetime as dt

from zoneops.core.models import LoopCase
from zoneops.tasks.models import Task


def test_task_list_follows_the_case_due_date(client_for, users, zone_tree, departments):
    """The API lists tasks by their case's due date (an extension moves it), then by id."""
    staff = client_for(users["staff"])
    today = dt.date.today()
    for title, days in (("三号", 30), ("一号", 10), ("二号", 20), ("二号乙", 20)):
        response = staff.post(
            "/api/tasks/",
            {
                "zone": "GX",
                "title": title,
                "deadline": (today + dt.timedelta(days=days)).isoformat(),
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    titles = [row["title"] for row in staff.get("/api/tasks/").json()["results"]]
    assert titles == ["一号", "二号", "二号乙", "三号"]
    # The case's due date counts, not the task book's deadline.
    late = Task.objects.get(title="三号")
    LoopCase.objects.filter(pk=late.case_id).update(due_date=today)
    titles = [row["title"] for row in staff.get("/api/tasks/").json()["results"]]
    assert titles == ["三号", "一号", "二号", "二号乙"]
    by_deadline = staff.get("/api/tasks/", {"ordering": "-deadline"}).json()["results"]
    assert by_deadline[0]["title"] == "三号"
