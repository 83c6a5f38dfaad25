import datetime as dt

from zoneops.core.ui.testing import field_error
from zoneops.tasks.models import Task

D = dt.date


def test_task_through_the_api(client_for, users, zone_tree, departments):
    staff = client_for(users["staff"])
    deadline = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    response = staff.post(
        "/api/tasks/",
        {
            "zone": "GX",
            "title": "API任务",
            "deadline": deadline,
            "lead_unit": departments["econ"].code,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "assigned" and data["light"] in ("green", "yellow")
    task = Task.objects.get(pk=data["id"])
    assert task.case.department == departments["econ"]
    assert (data["lead_unit"], data["lead_unit_id"]) == (
        departments["econ"].code,
        departments["econ"].pk,
    )
    response = staff.post(
        f"/api/tasks/{task.pk}/transition/", {"transition": "close"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    response = staff.post(
        f"/api/tasks/{task.pk}/transition/", {"transition": "start"},
        content_type="application/json",
    )  # fmt: skip
    assert response.json()["state"] == "in_progress"
    # Another zone's staff neither sees nor moves it.
    other = client_for(users["other_staff"])
    assert other.get(f"/api/tasks/{task.pk}/").status_code == 404
    response = other.post(
        "/api/tasks/",
        {"zone": "GX", "title": "越权", "deadline": deadline},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_leader_reads_tasks_but_cannot_write(client_for, users, task):
    leader = client_for(users["leader"])
    assert leader.get("/api/tasks/").json()["count"] == 1
    response = leader.post(
        "/api/task-updates/",
        {"task": task.pk, "cycle": "2025-W47", "progress": 10, "text": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_an_api_edit_keeps_the_loop_case_in_step_and_refuses_the_deadline(
    client_for, users, task, departments
):
    staff = client_for(users["staff"])
    url = f"/api/tasks/{task.pk}/"
    response = staff.patch(url, {"title": "  新标题：帮扶到位  "}, content_type="application/json")
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    task.case.refresh_from_db()
    assert task.title == task.case.title == "新标题：帮扶到位"
    # a PUT repeats the unchanged deadline and zone: accepted
    whole = staff.get(url).json()
    assert staff.put(url, whole, content_type="application/json").status_code == 200
    moved = staff.patch(url, {"deadline": "2026-03-31"}, content_type="application/json")
    assert moved.status_code == 400 and field_error(moved, "deadline")
    task.refresh_from_db()
    assert task.deadline == D(2025, 12, 31)
    leader = client_for(users["leader"])
    assert leader.patch(url, {"title": "x"}, content_type="application/json").status_code == 403
    task.case.refresh_from_db()
    assert task.case.title == "新标题：帮扶到位"
