"""The zone map: server time and size of the map data of one zone with 5,000 projects and
20,000 enterprises, all with coordinates (targets: ≤ 300 ms, ≤ 1024 KB).

    map.zone_25k: N ms      (GET /projects/map/<zone>/data.json, median server time)
    map.payload_25k: N KB   (its JSON body, uncompressed)
    map.payload_25k_gzip: N KB  (the same body gzipped, as a proxy would send it)
    map.zone_25k_cpu: N ms  (SQLite only: CPU time of the same request in this process, which
                             a busy shared machine disturbs less than the wall time)
"""

import datetime as dt
import gzip
import json
import random
import statistics
import time

from timing import scaled, server_ms

PROJECTS = scaled(5000, 100)
ENTERPRISES = scaled(20000, 200)


def run(ctx):
    from django.test import Client
    from django.urls import reverse

    from zoneops.core.models import Role, User, Zone
    from zoneops.enterprises.generate import create_enterprises
    from zoneops.projects.generate import random_project
    from zoneops.projects.models import Milestone, Project

    rng = random.Random(2500)
    root = Zone.objects.create(code="MAPZ", name="地图基准高新区", kind=Zone.Kind.HI_TECH_ZONE)
    parks = [
        Zone.objects.create(
            code=f"MAPZ-{i}", name=f"地图基准园区{i}", kind=Zone.Kind.INDUSTRIAL_PARK, parent=root
        )
        for i in range(4)
    ]
    year = dt.date.today().year
    places = [root, *parks]
    projects = [
        random_project(i, places[i % len(places)], year, rng, "synthetic: bench map", "MAP-P")
        for i in range(PROJECTS)
    ]
    Project.objects.bulk_create(projects, batch_size=2000)
    Milestone.objects.bulk_create(
        [
            Milestone(project=p, name="开工", planned_date=p.planned_start, order=0)
            for p in projects
        ],
        batch_size=2000,
    )
    create_enterprises(
        [root], ENTERPRISES, 0, rng=rng, source="synthetic: bench map", serial_start=800_000
    )
    staff = User.objects.create_user(username="bench_map", role=Role.STAFF)
    staff.zones.set([root])
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    url = reverse("projects:map_data", args=[root.pk])
    body = client.get(url).content
    data = json.loads(body)
    assert len(data["projects"]["id"]) == PROJECTS, len(data["projects"]["id"])
    assert len(data["enterprises"]["id"]) == ENTERPRISES, len(data["enterprises"]["id"])
    yield "map.zone_25k", server_ms(client, url), "ms"
    yield "map.payload_25k", len(body) / 1024, "KB"
    yield "map.payload_25k_gzip", len(gzip.compress(body)) / 1024, "KB"
    if ctx.db == "sqlite":
        times = []
        for _ in range(5):
            started = time.process_time()
            client.get(url)
            times.append((time.process_time() - started) * 1000)
        yield "map.zone_25k_cpu", statistics.median(times), "ms"
