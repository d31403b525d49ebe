// Allure 3: one self-contained HTML file a user can attach to a change ticket, with history and trends across
// runs kept in reports/history.jsonl (xenlab's runner names the files; keep the history between CI runs).
// Categories (lab defect / lab unreachable / test error / known issue) come from the run's categories.json,
// which xenlab writes from xenlab/report.py: one definition for the report and the tests that read it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const results = process.env.XENLAB_ALLURE_RESULTS ?? "./reports/allure-results";
const categories = join(results, "categories.json");

export default {
  name: "xenlab acceptance",
  output: "./reports/allure-report",
  historyPath: process.env.XENLAB_ALLURE_HISTORY ?? "./reports/history.jsonl",
  categories: existsSync(categories) ? { rules: JSON.parse(readFileSync(categories, "utf8")) } : undefined,
  plugins: {
    awesome: {
      options: { singleFile: true, reportName: "xenlab acceptance", groupBy: ["epic", "feature", "story"] },
    },
  },
};
