from zoneops.core.ops.demo import seed_users, seed_zones
from zoneops.indicators import demo as indicator_demo
from zoneops.tasks import demo
from zoneops.tasks.models import Campaign, Goal, Task


def test_demo_campaigns_from_the_articles(db):
    seed_zones()
    seed_users()
    indicator_demo.seed()
    demo.seed()
    demo.seed()  # idempotent
    sprint = Campaign.objects.get(name="大干60天冲刺四季度")
    assert sprint.zone.code == "CCGX" and sprint.days_total() == 60
    assert sprint.tasks.count() == 6
    assert sprint.tasks.filter(case__state="closed").count() == 2
    goal = sprint.goals.get(indicator__code="industrial_output_above_scale")
    assert goal.target_value  # the zone's 2025 target from the indicators demo
    ten = Campaign.objects.get(name="十大工程")
    assert ten.tasks.count() == 10
    targets = dict(Goal.objects.filter(campaign=ten).values_list("name", "target_value"))
    assert [int(v) for k, v in targets.items() if "515" in k] == [50, 100, 50]
    assert Task.objects.count() == 16 + 6 + 3  # with the “六大”振兴行动 and “2+5+10”
