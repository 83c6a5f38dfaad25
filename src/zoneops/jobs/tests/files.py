"""Import files for tests and benches of background jobs."""

import csv
import io


def enterprise_csv(count: int, zone_code: str, *, start: int = 0, bad_every: int = 0) -> bytes:
    """A statistics-office enterprise register of ``count`` rows as UTF-8 CSV; with
    ``bad_every`` every so many rows has a USCC with a wrong check character."""
    from zoneops.enterprises import uscc

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["统一社会信用代码", "单位详细名称", "所属园区", "经营状态", "四上企业"])
    for n in range(start, start + count):
        code = uscc.make(f"91220101{n:09d}"[:17])
        if bad_every and n % bad_every == bad_every - 1:
            code = code[:-1] + ("0" if code[-1] != "0" else "1")
        writer.writerow([code, f"作业测试企业{n:06d}有限公司", zone_code, "营业", "否"])
    return out.getvalue().encode("utf-8")
