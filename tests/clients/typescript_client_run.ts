// What another system's developer does with the client openapi-generator's typescript-fetch
// generated from /api/schema/ (compiled with tsc next to it by
// tests/clients/test_generated_clients.py, run with node against a live server): log in with a
// token, list with filters and pages, create an appeal and move it through its loop, post a
// bulk of monthly figures with one bad row and read the row's error. Prints one JSON line of
// what it saw; any surprise throws.
import {
  AppealsApi,
  AppealCategoryEnum,
  AppealChannelEnum,
  ApiError,
  Configuration,
  DepartmentsApi,
  MonthlyFiguresApi,
  ResponseError,
} from "./gen/index";

const env = process.env;

function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`unexpected: ${what}`);
  }
}

function configuration(token: string | undefined): Configuration {
  return new Configuration({ basePath: env.ZONEOPS_URL, apiKey: `Token ${token}` });
}

async function refusal(call: Promise<unknown>): Promise<[number, ApiError]> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ResponseError) {
      return [error.response.status, (await error.response.json()) as ApiError];
    }
    throw error;
  }
  throw new Error("the call was not refused");
}

async function main(): Promise<void> {
  const staff = configuration(env.ZONEOPS_TOKEN);
  const handler = configuration(env.ZONEOPS_HANDLER_TOKEN);
  const seen: Record<string, unknown> = {};

  // a list with a filter, page by page
  const departments = new DepartmentsApi(staff);
  const zone = env.ZONEOPS_ZONE;
  const first = await departments.departmentsList({ zone, ordering: "name" });
  const second = await departments.departmentsList({ zone, page: 2 });
  seen.departments = [first.count, first.results.length, second.results.length, first.next == null];
  const [status, past] = await refusal(departments.departmentsList({ page: 99 }));
  check(status === 404, "a page past the end");
  seen.past_the_end = past.code;

  // an appeal through its loop
  const appeals = new AppealsApi(staff);
  const appeal = await appeals.appealsCreate({
    appealCreateRequest: {
      uscc: env.ZONEOPS_USCC,
      contactName: "张经理",
      contactPhone: "13904310000",
      channel: AppealChannelEnum.Hotline,
      category: AppealCategoryEnum.Financing,
      title: "流动资金贷款对接",
      description: "需要500万元流动资金贷款。",
    },
  });
  check(appeal.department === null && appeal.handler === null, "nullable as served");
  const states: string[] = [appeal.state];
  const move = async (api: AppealsApi, transition: string, extra: object = {}) => {
    const moved = await api.appealsTransitionCreate({
      id: appeal.id,
      transitionRequest: { transition, ...extra },
    });
    states.push(moved.state);
  };
  await move(appeals, "accept");
  const [refusedStatus, refused] = await refusal(
    appeals.appealsTransitionCreate({ id: appeal.id, transitionRequest: { transition: "confirm" } }),
  );
  check(refusedStatus === 400 && refused.code === "invalid", "a refused transition");
  seen.refused_transition = refused.message.en;
  await move(appeals, "assign", {
    department: env.ZONEOPS_DEPARTMENT,
    handler: Number(env.ZONEOPS_HANDLER_ID),
  });
  const handlers = new AppealsApi(handler);
  await move(handlers, "start");
  await move(handlers, "reply", { comment: "已对接银行" });
  const rated = await appeals.appealsRateCreate({ id: appeal.id, ratingRequest: { score: 5 } });
  states.push(rated.state);
  seen.states = states;
  const closed = await appeals.appealsList({ isOpen: false, search: "流动资金" });
  seen.closed_listed = closed.results.length === 1 && closed.results[0].id === appeal.id;

  // a bulk of monthly figures with one bad row: nothing written, the row's error named
  const figures = new MonthlyFiguresApi(staff);
  const rows = [1, 2, 13].map((month) => ({
    uscc: env.ZONEOPS_USCC,
    year: 2025,
    month,
    mainRevenue: "100.00",
  }));
  const [bulkStatus, bulk] = await refusal(
    figures.monthlyFiguresBulkCreate({ monthlyFigureBulkItemRequest: rows }),
  );
  check(bulkStatus === 400, "the bulk refused");
  seen.bulk_errors = bulk.errors.map((e) => [e.row, e.field, e.value]);
  seen.bulk_messages = bulk.errors.map((e) => Object.keys(e.message).sort());
  console.log(JSON.stringify(seen));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
