// Allure 3: one self-contained HTML file a user can attach to a change ticket, with history and trends across
// runs kept in reports/history.jsonl (xenlab's runner names the file; keep it between CI runs).
export default {
  name: "xenlab acceptance",
  output: "./reports/allure-report",
  historyPath: process.env.XENLAB_ALLURE_HISTORY ?? "./reports/history.jsonl",
  plugins: {
    awesome: {
      options: { singleFile: true, reportName: "xenlab acceptance", groupBy: ["epic", "feature", "story"] },
    },
  },
};
