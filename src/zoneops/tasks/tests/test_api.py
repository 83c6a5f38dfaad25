import datetime as dt

from zoneops.tasks.models import Task

D = dt.date


def test_task_through_the_api(client_for, users, zone_tree, departments):
    staff = client_for(users["staff"])
    deadline = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    response = staff.post(
        "/api/tasks/tasks/",
        {
            "zone": "GX",
            "title": "API任务",
            "deadline": deadline,
            "lead_unit": departments["econ"].pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "assigned" and data["light"] in ("green", "yellow")
    task = Task.objects.get(pk=data["id"])
    assert task.case.department == departments["econ"]
    response = staff.post(
        f"/api/tasks/tasks/{task.pk}/transition/", {"transition": "close"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    response = staff.post(
        f"/api/tasks/tasks/{task.pk}/transition/", {"transition": "start"},
        content_type="application/json",
    )  # fmt: skip
    assert response.json()["state"] == "in_progress"
    # Another zone's staff neither sees nor moves it.
    other = client_for(users["other_staff"])
    assert other.get(f"/api/tasks/tasks/{task.pk}/").status_code == 404
    response = other.post(
        "/api/tasks/tasks/",
        {"zone": "GX", "title": "越权", "deadline": deadline},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_leader_reads_tasks_but_cannot_write(client_for, users, task):
    leader = client_for(users["leader"])
    assert leader.get("/api/tasks/tasks/").json()["count"] == 1
    response = leader.post(
        "/api/tasks/updates/",
        {"task": task.pk, "cycle": "2025-W47", "progress": 10, "text": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
