"""Demo appeals for 长春高新区 (zone CCGX): a handful of realistic, synthetic cases at every
stage of the loop, modelled on what the seed articles describe (一企一策、精准帮扶; 现场办公,
打通政策落实“最后一公里”; 有事必到、无事不扰、闭环解决; 九解一协调; 服务企业月)."""

import datetime as dt

from django.db import transaction

from zoneops.appeals import services
from zoneops.appeals.models import Appeal
from zoneops.core.models import Department, User, Zone
from zoneops.core.ops.demo import S000, S001, S002, S003

D = dt.date
SOURCE = "演示数据（虚构）：企业诉求，参照{seed}"

# title, category, channel, enterprise, description, seed, multi-department, opened, steps
# steps: (transition, who, day, extra) with who in {"staff", "liaison", None}
APPEALS = [
    (
        "新建制剂车间用电增容",
        "utilities",
        "visit",
        "长春示例生物制药有限公司",
        "新建制剂车间需将用电容量由2000千伏安增至5000千伏安，已向供电公司申请一个月未答复。",
        S000,
        False,
        D(2025, 10, 20),
        [
            ("accept", "staff", D(2025, 10, 20), {}),
            ("assign", "staff", D(2025, 10, 21), {"department": "经济发展局"}),
            ("start", "liaison", D(2025, 10, 21), {}),
            (
                "reply",
                "liaison",
                D(2025, 10, 28),
                {"comment": "已协调供电公司，11月中旬完成增容。"},
            ),
            ("rate", None, D(2025, 10, 30), {"score": 5, "comment": "办得快，满意。"}),
        ],
    ),
    (
        "专精特新企业奖补资金兑现",
        "policy",
        "service_month",
        "长春示例光电材料股份有限公司",
        "去年认定为省级专精特新企业，奖补资金尚未拨付，请协助查询进度。",
        S003,
        False,
        D(2025, 11, 3),
        [
            ("accept", "staff", D(2025, 11, 3), {}),
            ("assign", "staff", D(2025, 11, 3), {"department": "科技创新局"}),
            ("start", "liaison", D(2025, 11, 4), {}),
            ("reply", "liaison", D(2025, 11, 12), {"comment": "资金已列入12月拨付计划。"}),
        ],
    ),
    (
        "扩建项目施工许可与消防设计审查并联办理",
        "permits",
        "on_site",
        "长春示例精密装备制造有限公司",
        "扩建厂房需同时办理施工许可和消防设计审查，希望并联审批以赶上开工节点。",
        S000,
        True,
        D(2025, 11, 10),
        [
            ("accept", "staff", D(2025, 11, 10), {}),
            ("assign", "staff", D(2025, 11, 11), {"department": "营商环境建设局"}),
            ("start", "liaison", D(2025, 11, 11), {}),
            (
                "request_extension",
                "liaison",
                D(2025, 11, 20),
                {"comment": "需等待施工图审查意见。", "extra_working_days": 5},
            ),
        ],
    ),
    (
        "新招工人通勤班车",
        "labour",
        "hotline",
        "长春示例汽车零部件有限公司",
        "四季度新招工人120名，厂区距地铁站较远，希望协调开通早晚通勤班车。",
        S001,
        False,
        D(2025, 11, 24),
        [],
    ),
    (
        "厂区周边道路积水影响物流车辆通行",
        "infrastructure",
        "on_site",
        "长春示例医药物流有限公司",
        "雨后厂区门前道路积水严重，货车无法进出，涉及市政、交通多个部门。",
        S002,
        True,
        D(2025, 9, 15),
        [
            ("accept", "staff", D(2025, 9, 15), {}),
            ("assign", "staff", D(2025, 9, 16), {"department": "经济发展局"}),
            ("start", "liaison", D(2025, 9, 17), {}),
            (
                "escalate_meeting",
                "staff",
                D(2025, 10, 27),
                {"comment": "涉及市政排水改造，提交九解一协调会议。"},
            ),
        ],
    ),
    (
        "流动资金贷款对接",
        "financing",
        "online",
        "长春示例新材料科技有限公司",
        "订单增长，需要流动资金贷款800万元，希望对接合作银行。",
        S000,
        False,
        D(2025, 10, 9),
        [
            ("accept", "staff", D(2025, 10, 9), {}),
            ("assign", "staff", D(2025, 10, 10), {"department": "投资促进局"}),
            ("start", "liaison", D(2025, 10, 10), {}),
            ("reply", "liaison", D(2025, 10, 17), {"comment": "已推荐两家银行。"}),
            ("rate", None, D(2025, 10, 20), {"score": 2, "comment": "银行尚未联系企业。"}),
        ],
    ),
]


def _enterprise(zone: Zone, name: str):
    from zoneops.enterprises.models import Enterprise

    return Enterprise.objects.filter(zone__path__startswith=zone.path, name=name).first()


@transaction.atomic
def seed() -> str:
    zone = Zone.objects.filter(code="CCGX").first()
    if zone is None:
        return "no zone CCGX"
    staff = User.objects.filter(username="gx_staff").first()
    liaison = User.objects.filter(username="gx_liaison").first()
    who = {"staff": staff, "liaison": liaison, None: None}
    created = 0
    for title, category, channel, name, text, seed_ref, multi, opened, steps in APPEALS:
        source = SOURCE.format(seed=seed_ref)
        if Appeal.objects.filter(title=title, source=source).exists():
            continue
        enterprise = _enterprise(zone, name)
        submission = services.submit(
            zone=enterprise.zone if enterprise else zone,
            channel=channel,
            enterprise_name=name,
            uscc=enterprise.uscc if enterprise else "",
            contact_name="企业联系人",
            contact_phone="13800000000",
            items=[services.Item(title, category, text, tags="", multi_department=multi)],
            acting_user=staff,
            opened_on=opened,
            source=source,
            enterprise=enterprise,
        )
        appeal = submission.appeals.get()
        for name_, actor, day, extra in steps:
            extra = dict(extra)
            if name_ == "rate":
                appeal = services.rate(
                    appeal, extra["score"], extra["comment"], acting_user=None, on=day
                )
                continue
            if "department" in extra:
                extra["department"] = Department.objects.get(zone=zone, name=extra["department"])
                extra["handler"] = liaison
            appeal = services.transition(appeal, name_, acting_user=who[actor], on=day, **extra)
        created += 1
    return f"{created} appeals"
